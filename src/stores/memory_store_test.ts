import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryCapabilityStore } from "./memory_store.ts";

describe("MemoryCapabilityStore", () => {
  it("starts with the given accounts, in order", async () => {
    const store = new MemoryCapabilityStore({ "b@x": ["read"], "a@x": [] });
    assert.deepEqual(await store.get("b@x"), ["read"]);
    assert.equal(await store.get("c@x"), undefined);
    assert.deepEqual([...(await store.all())], [["b@x", ["read"]], ["a@x", []]]);
  });

  it("updates, deletes and bumps the version only on a change", async () => {
    const store = new MemoryCapabilityStore();
    const v0 = store.version;
    assert.deepEqual(await store.update("a@x", () => ["read"]), ["read"]);
    const v1 = store.version;
    assert.ok(v1 > v0);
    assert.deepEqual(await store.update("a@x", (current) => [...current!]), ["read"]);
    assert.equal(store.version, v1);
    assert.equal(await store.update("a@x", () => undefined), undefined);
    assert.ok(store.version > v1);
    assert.equal((await store.all()).has("a@x"), false);
  });

  it("writes nothing when fn throws, and rejects with its error unchanged", async () => {
    const store = new MemoryCapabilityStore({ "a@x": ["read"] });
    const version = store.version;
    const refusal = new Error("refused");
    await assert.rejects(
      store.update("a@x", () => {
        throw refusal;
      }),
      (error) => error === refusal,
    );
    assert.deepEqual(await store.get("a@x"), ["read"]);
    assert.equal(store.version, version);
  });

  it("hands out frozen copies that callers cannot change", async () => {
    const initial = { "a@x": ["read"] };
    const store = new MemoryCapabilityStore(initial);
    initial["a@x"].push("write");
    const list = await store.get("a@x");
    assert.deepEqual(list, ["read"]);
    assert.ok(Object.isFrozen(list));
    const all = await store.all();
    (all as Map<string, readonly string[]>).delete("a@x");
    assert.deepEqual(await store.get("a@x"), ["read"]);
  });

  it("peek() always knows, and shows every change at once", async () => {
    const store = new MemoryCapabilityStore({ "a@x": ["read"] });
    assert.deepEqual(store.peek("a@x"), { value: ["read"] });
    assert.deepEqual(store.peek("b@x"), { value: undefined });
    await store.update("b@x", () => ["write"]);
    assert.deepEqual(store.peek("b@x"), { value: ["write"] });
    await store.update("a@x", () => undefined);
    assert.deepEqual(store.peek("a@x"), { value: undefined });
  });

  it("keeps __proto__ as an ordinary account key", async () => {
    const store = new MemoryCapabilityStore(JSON.parse('{"__proto__": ["read"]}'));
    assert.deepEqual(await store.get("__proto__"), ["read"]);
    assert.equal(await store.get("constructor"), undefined);
    await store.update("constructor", () => ["write"]);
    assert.deepEqual([...(await store.all()).keys()], ["__proto__", "constructor"]);
  });

  it("rejects a malformed update and keeps the old value", async () => {
    const store = new MemoryCapabilityStore({ "a@x": ["read"] });
    await assert.rejects(store.update("a@x", () => [1] as unknown as string[]), TypeError);
    await assert.rejects(
      store.update("a@x", () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.deepEqual(await store.get("a@x"), ["read"]);
  });

  it("refuses malformed initial accounts with a TypeError naming them", () => {
    assert.throws(
      () => new MemoryCapabilityStore({ "a@x": "read" } as unknown as Record<string, string[]>),
      { name: "TypeError", message: '"initial.a@x" must be a list of capability names (strings)' },
    );
    assert.throws(
      () => new MemoryCapabilityStore([] as unknown as Record<string, string[]>),
      TypeError,
    );
  });
});
