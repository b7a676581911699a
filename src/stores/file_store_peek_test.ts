import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FileCapabilityStore } from "./file_store.ts";
import { append, withDir } from "./_test_util.ts";

describe("FileCapabilityStore.peek", () => {
  it("peek() knows nothing before the first load, then answers from memory until a check is due", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read]\n");
      let now = 1_000_000;
      const store = new FileCapabilityStore(path, { reloadInterval: 1000, clock: () => now });
      assert.equal(store.peek("a@x"), undefined);
      assert.deepEqual(await store.get("a@x"), ["read"]);
      assert.deepEqual(store.peek("a@x"), { value: ["read"] });
      assert.deepEqual(store.peek("b@x"), { value: undefined });
      now += 999;
      assert.deepEqual(store.peek("a@x"), { value: ["read"] });
      now += 1;
      assert.equal(store.peek("a@x"), undefined, "a stat() is due");
      await writeFile(path, "a@x: [write]\n");
      assert.deepEqual(await store.get("a@x"), ["write"]);
      assert.deepEqual(store.peek("a@x"), { value: ["write"] });
    });
  });

  it("peek() shows the store's own writes at once", async () => {
    await withDir(async (dir) => {
      const store = new FileCapabilityStore(join(dir, "caps.yaml"), { clock: () => 5_000 });
      await store.update("a@x", append("read"));
      assert.deepEqual(store.peek("a@x"), { value: ["read"] });
      await store.update("a@x", () => undefined);
      assert.deepEqual(store.peek("a@x"), { value: undefined });
    });
  });

  it("peek() always leaves it to get() when reloadInterval is 0", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read]\n");
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      assert.deepEqual(await store.get("a@x"), ["read"]);
      assert.equal(store.peek("a@x"), undefined);
      await store.update("a@x", append("write"));
      assert.equal(store.peek("a@x"), undefined);
    });
  });

  it("peek() leaves it to get() while a changed file fails to load", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read]\n");
      let now = 0;
      const store = new FileCapabilityStore(path, { clock: () => now, onError: () => {} });
      assert.deepEqual(await store.get("a@x"), ["read"]);
      await writeFile(path, "a@x: [read\n");
      now += 1000;
      assert.deepEqual(await store.get("a@x"), ["read"], "the last good copy");
      assert.equal(store.peek("a@x"), undefined);
      await writeFile(path, "a@x: [write]\n");
      now += 1000;
      assert.deepEqual(await store.get("a@x"), ["write"]);
      assert.deepEqual(store.peek("a@x"), { value: ["write"] });
    });
  });
});
