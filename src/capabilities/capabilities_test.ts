import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CapabilitySet } from "./capabilities.ts";
import { CapabilityError } from "./capability_error.ts";
import { MemoryCapabilityStore } from "../stores/memory_store.ts";

const graph = {
  read: [],
  write: ["read"],
  moderate: ["read", "write"],
  announce: ["read", "write"],
  user_management: [],
};

function sorted(set: ReadonlySet<string>): string[] {
  return [...set].sort();
}

describe("CapabilitySet", () => {
  it("grants what a capability implies, transitively", async () => {
    const caps = new CapabilitySet({ graph: { a: [], b: ["a"], c: ["b"], d: ["c"] } });
    await caps.add("ann@x.com", "d");
    for (const name of ["a", "b", "c", "d"]) {
      assert.equal(await caps.check("ann@x.com", name), true);
    }
    await caps.set("ann@x.com", ["b"]);
    assert.equal(await caps.check("ann@x.com", "a"), true);
    assert.equal(await caps.check("ann@x.com", "c"), false);
    assert.deepEqual(sorted(await caps.effective("ann@x.com")), ["a", "b"]);
  });

  it("precomputes each closure: implied() returns the same Set every time", () => {
    const caps = new CapabilitySet({ graph });
    assert.deepEqual(sorted(caps.implied("moderate")), ["moderate", "read", "write"]);
    assert.equal(caps.implied("moderate"), caps.implied("moderate"));
    assert.throws(() => caps.implied("moderat"), {
      name: "TypeError",
      message: '"moderat" is not a capability (did you mean "moderate"?)',
    });
  });

  it("gives admin every capability when autoAdmin is on (the default)", async () => {
    const caps = new CapabilitySet({ graph });
    assert.deepEqual(caps.names, [...Object.keys(graph), "admin"]);
    assert.deepEqual(sorted(caps.implied("admin")), ["admin", ...Object.keys(graph)].sort());
    await caps.add("boss@x.com", "admin");
    for (const name of caps.names) assert.equal(await caps.check("boss@x.com", name), true);
    assert.equal(await caps.check("other@x.com", "admin"), false);
  });

  it("has no admin without autoAdmin, and lets the graph define one", () => {
    const without = new CapabilitySet({ graph, autoAdmin: false });
    assert.equal(without.has("admin"), false);
    assert.deepEqual(without.names, Object.keys(graph));
    const own = new CapabilitySet({ graph: { read: [], admin: ["read"] }, autoAdmin: false });
    assert.deepEqual(sorted(own.implied("admin")), ["admin", "read"]);
  });

  it("answers the graph as given plus admin for graphJson()", () => {
    assert.deepEqual(new CapabilitySet({ graph }).graphJson(), {
      ...graph,
      admin: Object.keys(graph),
    });
    assert.deepEqual(new CapabilitySet({ graph, autoAdmin: false }).graphJson(), graph);
    const json = new CapabilitySet({ graph }).graphJson();
    json.read.push("mutated");
    assert.deepEqual(new CapabilitySet({ graph }).graphJson().read, []);
  });

  it("grants default capabilities to authenticated users only", async () => {
    const caps = new CapabilitySet({ graph, defaultCapabilities: ["write"] });
    assert.equal(await caps.check("anyone@x.com", "read"), true);
    assert.equal(await caps.check("anyone@x.com", "moderate"), false);
    assert.equal(await caps.check(null, "read"), false);
    assert.deepEqual(await caps.get("anyone@x.com"), [], "defaults are not stored");
  });

  it("grants guest capabilities to guests and to authenticated users", async () => {
    const caps = new CapabilitySet({ graph, guestCapabilities: ["read"] });
    assert.equal(await caps.check(null, "read"), true);
    assert.equal(await caps.check(null, "write"), false);
    assert.equal(await caps.check("anyone@x.com", "read"), true);
    assert.deepEqual(sorted(await caps.effective(null)), ["read"]);
  });

  it("keeps user overrides out of the store, and they survive a remove", async () => {
    const caps = new CapabilitySet({
      graph,
      userOverrides: { "boss@x.com": ["moderate"] },
    });
    assert.equal(await caps.check("boss@x.com", "write"), true);
    assert.deepEqual(await caps.add("boss@x.com", "announce"), ["announce"]);
    assert.deepEqual(await caps.remove("boss@x.com", "announce"), []);
    assert.deepEqual(await caps.remove("boss@x.com", "moderate"), []);
    assert.equal(await caps.check("boss@x.com", "moderate"), true);
    assert.equal(await caps.check("boss@x.com", "announce"), false);
    assert.deepEqual([...(await caps.users())], [["boss@x.com", []]]);
  });

  it("dedupes, keeps the stored order and appends new capabilities", async () => {
    const caps = new CapabilitySet({ graph });
    assert.deepEqual(await caps.set("a@x.com", ["write", "read", "write"]), ["write", "read"]);
    assert.deepEqual(await caps.add("a@x.com", "write"), ["write", "read"]);
    assert.deepEqual(await caps.add("a@x.com", "announce"), ["write", "read", "announce"]);
    assert.deepEqual(await caps.set("a@x.com", ["moderate", "announce", "write"]), [
      "write",
      "announce",
      "moderate",
    ]);
    assert.deepEqual(await caps.remove("a@x.com", "write"), ["announce", "moderate"]);
    assert.deepEqual(await caps.remove("nobody@x.com", "write"), []);
    assert.deepEqual([...(await caps.users()).keys()], ["a@x.com"], "remove creates no account");
  });

  it("refuses bad emails and unknown capabilities with a CapabilityError code", async () => {
    const caps = new CapabilitySet({ graph });
    await assert.rejects(caps.add("a@x.com", "modrate"), {
      name: "CapabilityError",
      code: "unknown_capability",
      message: '"modrate" is not a capability (did you mean "moderate"?)',
    });
    await assert.rejects(caps.set("a@x.com", ["read", 3 as unknown as string]), {
      code: "unknown_capability",
    });
    await assert.rejects(caps.remove("a@x.com\nb@x.com: [admin]", "read"), {
      code: "invalid_email",
      message: '"a@x.com\\nb@x.com: [admin]" is not a valid email ' +
        "(it contains whitespace or a control character)",
    });
    for (const email of ["__proto__", "", "a@b@c", "x".repeat(300)]) {
      await assert.rejects(caps.add(email, "read"), (error) => {
        return error instanceof CapabilityError && error.code === "invalid_email";
      });
    }
    assert.equal((await caps.users()).size, 0);
  });

  it("answers for __proto__ and other odd emails without touching prototypes", async () => {
    const caps = new CapabilitySet({
      graph,
      store: new MemoryCapabilityStore(JSON.parse('{"__proto__": ["write"]}')),
    });
    assert.equal(await caps.check("__proto__", "read"), true);
    assert.equal(await caps.check("constructor", "read"), false);
    assert.deepEqual(await caps.get("toString"), []);
    assert.deepEqual([...(await caps.users())], [["__proto__", ["write"]]]);
  });

  it("sees changes made to its store directly (the cache follows the version)", async () => {
    const store = new MemoryCapabilityStore();
    const caps = new CapabilitySet({ graph, store });
    assert.equal(await caps.check("a@x.com", "read"), false);
    await store.update("a@x.com", () => ["write"]);
    assert.equal(await caps.check("a@x.com", "read"), true);
    assert.equal(await caps.effective("a@x.com"), await caps.effective("a@x.com"), "cached");
    await store.update("a@x.com", () => ["announce"]);
    assert.equal(await caps.check("a@x.com", "announce"), true);
  });

  it("throws a TypeError for a check of an unknown capability", async () => {
    const caps = new CapabilitySet({ graph });
    await assert.rejects(caps.check("a@x.com", "writ"), {
      name: "TypeError",
      message: '"writ" is not a capability (did you mean "write"?)',
    });
    await assert.rejects(caps.check(null, "nope"), TypeError);
  });

  it("keeps the cost of a check flat on a graph of 1,000 capabilities with 50-deep chains", async () => {
    const big: Record<string, string[]> = {};
    for (let i = 0; i < 1000; i++) big[`c${i}`] = i % 50 === 0 ? [] : [`c${i - 1}`];
    const caps = new CapabilitySet({ graph: big });
    const deepest = caps.implied("c999");
    assert.equal(deepest.size, 50);
    assert.ok(deepest.has("c950") && !deepest.has("c949"));
    assert.equal(caps.implied("c999"), deepest, "computed once, at construction");
    assert.equal(caps.implied("admin").size, 1001);
    await caps.add("a@x.com", "c999");
    assert.equal(await caps.check("a@x.com", "c950"), true);
    assert.equal(await caps.check("a@x.com", "c949"), false);
  });
});

describe("CapabilitySet with a userFile", () => {
  it("refuses an account of the file that is not a valid email, with its line, by the rule of add()", async () => {
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-caps-"));
    await using _ = { [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
    const userFile = join(dir, "caps.yaml");
    await writeFile(userFile, "ann@example.com: [read]\n# by hand\nnot-an-email: [read]\n");
    const caps = new CapabilitySet({ graph: { read: [] }, userFile });
    await assert.rejects(caps.get("ann@example.com"), {
      name: "ConfigError",
      message: `${userFile}: not-an-email: "not-an-email" is not a valid email (it has no "@") ` +
        "(line 3)",
      path: ["not-an-email"],
    });
    const empty = new CapabilitySet({ graph: { read: [] } });
    await assert.rejects(empty.add("not-an-email", "read"), {
      code: "invalid_email",
      message: '"not-an-email" is not a valid email (it has no "@")',
    });
  });
});
