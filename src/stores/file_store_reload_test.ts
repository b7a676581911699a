import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../errors.ts";
import { FileCapabilityStore } from "./file_store.ts";
import { append, withDir } from "./_test_util.ts";

describe("FileCapabilityStore reloads", () => {
  it("picks up a hand edit on the next access when reloadInterval is 0", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x:\n  - read\n");
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      assert.deepEqual(await store.get("a@x"), ["read"]);
      const version = store.version;
      await writeFile(path, "a@x:\n  - read\n  - write\nb@x: []\n");
      assert.deepEqual(await store.get("a@x"), ["read", "write"]);
      assert.deepEqual(await store.get("b@x"), []);
      assert.ok(store.version > version);
    });
  });

  it("checks the file for hand edits at most every reloadInterval milliseconds", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read]\n");
      let now = 1_000_000;
      const store = new FileCapabilityStore(path, { reloadInterval: 1000, clock: () => now });
      assert.deepEqual(await store.get("a@x"), ["read"]);
      await writeFile(path, "a@x: [read, write]\n");
      now += 999;
      assert.deepEqual(await store.get("a@x"), ["read"]);
      now += 1;
      assert.deepEqual(await store.get("a@x"), ["read", "write"]);
    });
  });

  it("keeps the last good copy of a broken hand edit, reports it once, and never overwrites it", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x:\n  - read\n");
      const errors: Error[] = [];
      const store = new FileCapabilityStore(path, {
        reloadInterval: 0,
        onError: (error) => errors.push(error),
      });
      assert.deepEqual(await store.get("a@x"), ["read"]);
      const broken = "a@x:\n  - read\n  bad: [\n";
      await writeFile(path, broken);
      assert.deepEqual(await store.get("a@x"), ["read"]);
      assert.deepEqual(await store.get("a@x"), ["read"]);
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof ConfigError);
      assert.match(errors[0].message, /caps\.yaml: invalid YAML/);
      await assert.rejects(store.update("b@x", append("read")), ConfigError);
      assert.equal(await readFile(path, "utf8"), broken);
      await writeFile(path, "a@x:\n  - write\n");
      assert.deepEqual(await store.get("a@x"), ["write"]);
    });
  });

  it("rejects reads and writes with the ConfigError while there is no good copy", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      const broken = "- a list\n- not a mapping\n";
      await writeFile(path, broken);
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      const expected = {
        name: "ConfigError",
        message: `${path}: must be a mapping of emails to lists of capabilities`,
      };
      await assert.rejects(store.get("a@x"), expected);
      await assert.rejects(store.all(), expected);
      await assert.rejects(store.update("a@x", append("read")), expected);
      assert.equal(await readFile(path, "utf8"), broken);
      await writeFile(path, "a@x: []\n");
      assert.deepEqual(await store.get("a@x"), []);
    });
  });

  it("refuses values that are not lists and items that are not strings, naming file and user", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "ok@x: []\na@x: read\n");
      await assert.rejects(new FileCapabilityStore(path).all(), {
        name: "ConfigError",
        message: `${path}: a@x: must be a list of capabilities (write "[]" for none)`,
        path: ["a@x"],
        file: path,
      });
      await writeFile(path, "a@x:\n  - read\n  - 12\n");
      await assert.rejects(new FileCapabilityStore(path).all(), {
        message: `${path}: a@x: item 2 is a number, not a capability name`,
      });
      await writeFile(path, "a@x:\n");
      await assert.rejects(new FileCapabilityStore(path).all(), /a@x: must be a list/);
    });
  });

  it("hands the accounts to validate and refuses the file when it throws", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read]\n");
      const errors: Error[] = [];
      const store = new FileCapabilityStore(path, {
        reloadInterval: 0,
        onError: (error) => errors.push(error),
        validate: (users) => {
          for (const [email, list] of users) {
            if (list.includes("root")) {
              throw new ConfigError("no root", { file: path, path: [email] });
            }
          }
        },
      });
      assert.deepEqual(await store.get("a@x"), ["read"]);
      await writeFile(path, "a@x: [read, root]\n");
      assert.deepEqual(await store.get("a@x"), ["read"]);
      assert.equal(errors[0]?.message, `${path}: a@x: no root (line 1)`);
    });
  });

  it("does not lose a hand edit made since the last reload when it writes", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: []\n");
      const store = new FileCapabilityStore(path, { reloadInterval: 3_600_000 });
      assert.deepEqual(await store.get("a@x"), []);
      await writeFile(path, "a@x: []\nhand@x:\n  - read\n");
      await store.update("b@x", append("write"));
      assert.deepEqual(parse(await readFile(path, "utf8")), {
        "a@x": [],
        "hand@x": ["read"],
        "b@x": ["write"],
      });
      assert.deepEqual(await store.get("hand@x"), ["read"]);
    });
  });
});
