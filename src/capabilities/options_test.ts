// The options of `new CapabilitySet()`: how each bad one is refused, and
// `userFile`, which puts the users' capabilities in a YAML file.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CapabilitySet } from "./capabilities.ts";
import type { CapabilitySetOptions } from "./options.ts";
import { ConfigError } from "../errors.ts";
import { FileCapabilityStore } from "../stores/file_store.ts";
import { MemoryCapabilityStore } from "../stores/memory_store.ts";

const graph = {
  read: [],
  write: ["read"],
  moderate: ["read", "write"],
  announce: ["read", "write"],
  user_management: [],
};

describe("new CapabilitySet() validation", () => {
  const cases: [
    string,
    Record<string, unknown>,
    string | RegExp,
  ][] = [
    [
      "a graph that is not a mapping",
      { graph: [] },
      "graph: must be a mapping of capability names to implied capabilities",
    ],
    [
      "an implication cycle",
      { graph: { a: ["b"], b: ["a"] } },
      "graph.a: implication cycle: a -> b -> a",
    ],
    [
      "an edge to an undefined capability",
      { graph: { read: [], write: ["reed"] } },
      'graph.write: "reed" is not a capability (did you mean "read"?)',
    ],
    [
      "an empty capability name",
      { graph: { "": [] } },
      /^graph\.: "" is not a valid capability name/,
    ],
    [
      "an invalid capability name",
      { graph: { "rm -rf": [] } },
      /^graph\.rm -rf: "rm -rf" is not a valid capability name/,
    ],
    [
      "a capability name over 64 characters",
      { graph: { ["x".repeat(65)]: [] } },
      /is not a valid capability name .*1 to 64 characters/,
    ],
    [
      "admin defined while autoAdmin is on",
      { graph: { admin: [] } },
      /^graph\.admin: "admin" is created automatically/,
    ],
    [
      "an unknown default capability",
      { graph, defaultCapabilities: ["reed"] },
      'defaultCapabilities: "reed" is not a capability (did you mean "read"?)',
    ],
    [
      "an unknown guest capability",
      { graph, guestCapabilities: ["admn"] },
      'guestCapabilities: "admn" is not a capability (did you mean "admin"?)',
    ],
    [
      "an unknown override capability",
      { graph, userOverrides: { "a@x.com": ["modrate"] } },
      'userOverrides.a@x.com: "modrate" is not a capability (did you mean "moderate"?)',
    ],
    [
      "an override for a bad email",
      { graph, userOverrides: { "a b@x.com": ["read"] } },
      'userOverrides: "a b@x.com" is not an email (it contains whitespace or a control character)',
    ],
    ["a non-boolean autoAdmin", { graph, autoAdmin: "yes" }, '"autoAdmin" must be a boolean'],
    ["both userFile and store", {
      graph,
      userFile: "caps.yaml",
      store: new MemoryCapabilityStore(),
    }, '"userFile" and "store" cannot both be given'],
    [
      "an empty userFile",
      { graph, userFile: "" },
      '"userFile" must be a non-empty path or a file: URL',
    ],
    [
      "a store that is not one",
      { graph, store: {} },
      '"store" must be a CapabilityStore (get, all, update, version)',
    ],
  ];
  for (const [what, options, message] of cases) {
    it(`throws a TypeError naming the option for ${what}`, () => {
      assert.throws(() => new CapabilitySet(options as unknown as CapabilitySetOptions), {
        name: "TypeError",
        message,
      });
    });
  }
});

describe("CapabilitySet with a userFile", () => {
  async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-capset-"));
    try {
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("reads the upstream file format and writes changes back to it", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(
        path,
        "your-email@you.com:\n  - admin\nfriend@rainbows.com:\n  - moderate\n  - announce\n" +
          "hateful-being@cornhole.co: []\n",
      );
      const caps = new CapabilitySet({ graph, userFile: path, defaultCapabilities: ["read"] });
      assert.ok(caps.store instanceof FileCapabilityStore);
      assert.equal(await caps.check("your-email@you.com", "user_management"), true);
      assert.equal(await caps.check("friend@rainbows.com", "write"), true);
      assert.equal(await caps.check("hateful-being@cornhole.co", "write"), false);
      assert.equal(await caps.check("hateful-being@cornhole.co", "read"), true);
      await caps.add("hateful-being@cornhole.co", "write");
      await caps.remove("friend@rainbows.com", "moderate");
      assert.equal(
        await readFile(path, "utf8"),
        "your-email@you.com:\n  - admin\nfriend@rainbows.com:\n  - announce\n" +
          "hateful-being@cornhole.co:\n  - write\n",
      );
    });
  });

  it("refuses a file naming an unknown capability with a ConfigError naming file, user and capability", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "friend@rainbows.com:\n  - modrate\n");
      const caps = new CapabilitySet({ graph, userFile: path });
      const expected = {
        name: "ConfigError",
        message:
          `${path}: friend@rainbows.com: "modrate" is not a capability (did you mean "moderate"?) ` +
          "(line 1)",
        file: path,
        path: ["friend@rainbows.com"],
      };
      await assert.rejects(caps.check("friend@rainbows.com", "read"), expected);
      await assert.rejects(
        caps.add("other@x.com", "read"),
        (error) => error instanceof ConfigError,
      );
      assert.equal(await readFile(path, "utf8"), "friend@rainbows.com:\n  - modrate\n");
    });
  });

  it("sees a hand edit of the file through its cache", async () => {
    await withDir(async (dir) => {
      const path = join(dir, "caps.yaml");
      await writeFile(path, "a@x.com:\n  - read\n");
      const store = new FileCapabilityStore(path, { reloadInterval: 0 });
      const caps = new CapabilitySet({ graph, store });
      assert.equal(await caps.check("a@x.com", "read"), true);
      assert.equal(await caps.check("a@x.com", "write"), false);
      await writeFile(path, "a@x.com:\n  - moderate\n");
      assert.equal(await caps.check("a@x.com", "write"), true);
      await writeFile(path, "a@x.com: []\n");
      assert.equal(await caps.check("a@x.com", "read"), false);
    });
  });

  it("does no I/O when it is constructed", () => {
    const caps = new CapabilitySet({ graph, userFile: "/nonexistent/dir/caps.yaml" });
    assert.ok(caps.store instanceof FileCapabilityStore);
  });
});
