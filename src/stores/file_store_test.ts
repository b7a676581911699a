import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { platform } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { FileCapabilityStore } from "./file_store.ts";
import { append, withDir } from "./_test_util.ts";

describe("FileCapabilityStore", () => {
  it("treats a missing file as empty and creates it on the first write, in the upstream format", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      const store = new FileCapabilityStore(path);
      assert.equal(await store.get("your-email@you.com"), undefined);
      assert.equal((await store.all()).size, 0);
      assert.deepEqual(await readdir(dir), []);
      await store.update("your-email@you.com", () => ["admin"]);
      await store.update("friend@rainbows.com", () => ["moderate", "announce"]);
      await store.update("hateful-being@cornhole.co", () => []);
      assert.equal(
        await readFile(path, "utf8"),
        "your-email@you.com:\n  - admin\nfriend@rainbows.com:\n  - moderate\n  - announce\n" +
          "hateful-being@cornhole.co: []\n",
      );
      assert.deepEqual(await readdir(dir), ["caps.yaml"]);
    });
  });

  it("writes nothing when fn throws, and rejects with its error unchanged", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read] # kept\n");
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      const refusal = new Error("refused");
      await assert.rejects(
        store.update("a@x", () => {
          throw refusal;
        }),
        (error) => error === refusal,
      );
      assert.equal(await readFile(path, "utf8"), "a@x: [read] # kept\n");
      assert.deepEqual(await readdir(dir), ["caps.yaml"]);
      assert.deepEqual(await store.update("a@x", append("write")), ["read", "write"]);
    });
  });

  it("removes temporary files that a killed write left behind, and only those", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x: [read]\n");
      const stale = join(dir, ".caps.yaml.0123456789ab.tmp");
      const fresh = join(dir, ".caps.yaml.aaaaaaaaaaaa.tmp");
      for (const temp of [stale, fresh]) await writeFile(temp, "a@x: []\n");
      const hourAgo = new Date(Date.now() - 3600_000);
      await utimes(stale, hourAgo, hourAgo);
      const store = new FileCapabilityStore(path);
      assert.deepEqual(await store.get("a@x"), ["read"]);
      assert.deepEqual((await readdir(dir)).sort(), [".caps.yaml.aaaaaaaaaaaa.tmp", "caps.yaml"]);
    });
  });

  it("keeps every account when 100 updates for different users run at once", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      const emails = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`);
      await Promise.all(emails.map((email) => store.update(email, append("read"))));
      const onDisk = parse(await readFile(path, "utf8"));
      assert.deepEqual(Object.keys(onDisk).sort(), [...emails].sort());
      for (const email of emails) assert.deepEqual(onDisk[email], ["read"]);
      assert.equal((await store.all()).size, 100);
      assert.deepEqual(await readdir(dir), ["caps.yaml"], "no temporary file left behind");
    });
  });

  it("accepts a file: URL", async () => {
    await withDir(async (dir) => {
      const url = new URL(`file://${join(dir, "my caps.yaml")}`);
      const store = new FileCapabilityStore(url);
      await store.update("a@x", append("read"));
      assert.equal(await readFile(join(dir, "my caps.yaml"), "utf8"), "a@x:\n  - read\n");
      assert.equal(store.file, join(dir, "my caps.yaml"));
    });
  });

  it(
    "keeps the permissions of the file it replaces",
    { skip: platform() === "win32" },
    async () => {
      await withDir(async (dir) => {
        const path = join(dir, "caps.yaml");
        await writeFile(path, "a@x: []\n");
        await chmod(path, 0o600);
        await new FileCapabilityStore(path).update("a@x", append("read"));
        assert.equal((await stat(path)).mode & 0o777, 0o600);
      });
    },
  );

  it("validates its options with a TypeError naming the option", () => {
    assert.throws(() => new FileCapabilityStore(""), { name: "TypeError", message: /"path"/ });
    assert.throws(() => new FileCapabilityStore(new URL("https://x/caps.yaml")), /"path"/);
    assert.throws(
      () => new FileCapabilityStore("c.yaml", { reloadInterval: -1 }),
      /"reloadInterval"/,
    );
    assert.throws(
      () => new FileCapabilityStore("c.yaml", { reloadInterval: NaN }),
      /"reloadInterval"/,
    );
    const notAFunction = 1 as unknown as () => number;
    assert.throws(() => new FileCapabilityStore("c.yaml", { clock: notAFunction }), /"clock"/);
    assert.throws(() => new FileCapabilityStore("c.yaml", { onError: notAFunction }), /"onError"/);
    assert.throws(
      () => new FileCapabilityStore("c.yaml", { validate: notAFunction }),
      /"validate"/,
    );
  });
});
