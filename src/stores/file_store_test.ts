import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { platform, tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../errors.ts";
import { FileCapabilityStore } from "./file_store.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-caps-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const append = (name: string) => (current: readonly string[] | undefined) => [
  ...(current ?? []),
  name,
];

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
      assert.equal(errors[0]?.message, `${path}: a@x: no root`);
    });
  });

  it("keeps comments, order and hand-written styles when it edits the file", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(
        path,
        "# Who may do what.\nfriend@x.com:\n  - moderate\n  # since May\n  - announce\n" +
          "boss@x.com:\n  - admin # the boss\nflow@x.com: [read, write]\nnone@x.com: []\n",
      );
      const store = new FileCapabilityStore(path);
      await store.update("friend@x.com", (current) => current!.filter((c) => c !== "moderate"));
      await store.update("flow@x.com", append("announce"));
      await store.update("none@x.com", append("read"));
      await store.update("boss@x.com", () => undefined);
      await store.update("new@x.com", () => ["read"]);
      assert.equal(
        await readFile(path, "utf8"),
        "# Who may do what.\nfriend@x.com:\n  # since May\n  - announce\n" +
          "flow@x.com: [read, write, announce]\nnone@x.com:\n  - read\nnew@x.com:\n  - read\n",
      );
    });
  });

  it("writes nothing when an update changes nothing", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x:   [read]   # odd spacing\n");
      const store = new FileCapabilityStore(path);
      const before = await stat(path);
      const version = store.version;
      assert.deepEqual(await store.update("a@x", (current) => [...current!]), ["read"]);
      assert.equal(await store.update("b@x", () => undefined), undefined);
      assert.equal((await stat(path)).ino, before.ino);
      assert.equal(await readFile(path, "utf8"), "a@x:   [read]   # odd spacing\n");
      assert.equal(store.version, version + 1, "only the first load counts");
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

  it("treats __proto__ and YAML-special characters as ordinary email keys", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "__proto__:\n  - read\n");
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      assert.deepEqual(await store.get("__proto__"), ["read"]);
      assert.equal(await store.get("constructor"), undefined);
      const odd = ["!tag@x", "*alias@x", "&anchor@x", "'quote@x", "-dash@x", "a#b@x", "?q@x"];
      for (const email of [...odd, "__proto__"]) await store.update(email, append("write"));
      const again = new FileCapabilityStore(path);
      assert.deepEqual([...(await again.all()).keys()], ["__proto__", ...odd]);
      assert.deepEqual(await again.get("__proto__"), ["read", "write"]);
      for (const email of odd) assert.deepEqual(await again.get(email), ["write"]);
    });
  });

  it("refuses an edit that would change other accounts through a shared YAML anchor", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      const text = "a@x: &caps\n  - read\nb@x: *caps\n";
      await writeFile(path, text);
      const store = new FileCapabilityStore(path);
      assert.deepEqual(await store.get("b@x"), ["read"]);
      await assert.rejects(store.update("a@x", append("write")), ConfigError);
      assert.equal(await readFile(path, "utf8"), text);
      await store.update("b@x", append("write"));
      assert.deepEqual(parse(await readFile(path, "utf8")), {
        "a@x": ["read"],
        "b@x": ["read", "write"],
      });
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

  it("adds to a 20,000-account file without reading or writing the whole document again", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      const lines = Array.from({ length: 20_000 }, (_, i) => `user${i}@example.com: [read]`);
      await writeFile(path, lines.join("\n") + "\n");
      const store = new FileCapabilityStore(path);
      assert.deepEqual(await store.get("user19999@example.com"), ["read"]);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await store.update(`user${i * 1000}@example.com`, append("write"));
        times.push(performance.now() - started);
        lines[i * 1000] = `user${i * 1000}@example.com: [read, write]`;
      }
      assert.equal(await readFile(path, "utf8"), lines.join("\n") + "\n");
      // Parsing this file once takes 0.3 s or more here; a spliced write with fsync, about 10 ms.
      const median = times.sort((a, b) => a - b)[2];
      assert.ok(median < 150, `median ${Math.round(median)} ms (${times.map(Math.round)})`);
    });
  });

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
