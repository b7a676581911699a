import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CapabilityError, CapabilitySet, type CapabilitySetOptions } from "./capabilities.ts";
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
          `${path}: friend@rainbows.com: "modrate" is not a capability (did you mean "moderate"?)`,
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
