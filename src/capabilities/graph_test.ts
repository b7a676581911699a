import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CapabilityGraph, computeClosures, graphProblems } from "./graph.ts";

describe("graphProblems()", () => {
  it("finds nothing wrong with a valid graph", () => {
    assert.deepEqual(
      graphProblems({ read: [], write: ["read"], "a.b:c-d_1": ["write"] }, true),
      [],
    );
  });

  it("refuses what is not a mapping", () => {
    for (const graph of [null, [], "read", 3]) {
      assert.deepEqual(graphProblems(graph, true), [
        { path: [], message: "must be a mapping of capability names to implied capabilities" },
      ]);
    }
  });

  it("names an edge to an undefined capability and suggests the closest one", () => {
    assert.deepEqual(graphProblems({ read: [], write: ["reed"] }, true), [
      { path: ["write"], message: '"reed" is not a capability (did you mean "read"?)' },
    ]);
  });

  it("reports every implication cycle with its path", () => {
    assert.deepEqual(graphProblems({ a: ["b"], b: ["a"], c: ["c"], d: [] }, false), [
      { path: ["a"], message: "implication cycle: a -> b -> a" },
      { path: ["c"], message: "implication cycle: c -> c" },
    ]);
  });

  it("finds a long cycle without exhausting the stack", () => {
    const graph: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) graph[`c${i}`] = [`c${(i + 1) % 20_000}`];
    const problems = graphProblems(graph, true);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^implication cycle: c0 -> c1 -> .* -> c19999 -> c0$/);
  });

  it("refuses empty, too long and badly formed names", () => {
    const long = "x".repeat(65);
    const problems = graphProblems({ "": [], [long]: [], "a b": [], "ok": [] }, true);
    assert.deepEqual(problems.map((p) => p.path), [[""], [long], ["a b"]]);
    assert.match(problems[0].message, /^"" is not a valid capability name \(letters, digits/);
    assert.match(problems[2].message, /^"a b" is not a valid capability name/);
  });

  it("refuses lists that are not lists and items that are not strings", () => {
    assert.deepEqual(graphProblems({ a: "b", b: [1] }, true), [
      { path: ["a"], message: "must be a list of capability names" },
      { path: ["b", "0"], message: "a value of type number is not a capability name" },
    ]);
  });

  it("reserves admin when autoAdmin is on, and only then", () => {
    assert.deepEqual(graphProblems({ admin: [] }, true).map((p) => p.path), [["admin"]]);
    assert.match(graphProblems({ admin: [] }, true)[0].message, /created automatically/);
    assert.deepEqual(graphProblems({ read: ["admin"] }, true), [
      { path: ["read"], message: '"admin" implies every capability, so nothing may imply it' },
    ]);
    assert.deepEqual(graphProblems({ admin: ["read"], read: [] }, false), []);
  });

  it("treats __proto__ as an ordinary capability name", () => {
    const graph = JSON.parse('{"__proto__": [], "read": ["__proto__"]}');
    assert.deepEqual(graphProblems(graph, true), []);
    const closures = computeClosures(new Map(Object.entries(graph)), false);
    assert.deepEqual([...closures.get("read")!], ["read", "__proto__"]);
  });
});

describe("computeClosures()", () => {
  it("holds each capability and everything it implies, transitively", () => {
    const graph = new Map([["read", []], ["write", ["read"]], ["moderate", ["write"]], [
      "announce",
      ["read", "write"],
    ]]);
    const closures = computeClosures(graph, true);
    assert.deepEqual([...closures.get("moderate")!].sort(), ["moderate", "read", "write"]);
    assert.deepEqual([...closures.get("announce")!].sort(), ["announce", "read", "write"]);
    assert.deepEqual([...closures.get("read")!], ["read"]);
    assert.deepEqual([...closures.get("admin")!].sort(), [
      "admin",
      "announce",
      "moderate",
      "read",
      "write",
    ]);
  });

  it("adds no admin without autoAdmin", () => {
    assert.equal(computeClosures(new Map([["read", []]]), false).has("admin"), false);
  });

  it("computes the closures of a 2,000-deep chain", () => {
    const graph = new Map<string, string[]>();
    for (let i = 0; i < 2_000; i++) graph.set(`c${i}`, i === 0 ? [] : [`c${i - 1}`]);
    assert.equal(computeClosures(graph, false).get("c1999")!.size, 2_000);
  });
});

describe("CapabilityGraph", () => {
  it("throws a TypeError naming the option path for each problem", () => {
    assert.throws(() => new CapabilityGraph({ a: ["b"], b: ["a"], c: ["xyz"] }, true), {
      name: "TypeError",
      message: 'graph.c: "xyz" is not a capability; graph.a: implication cycle: a -> b -> a',
    });
  });

  it("checks lists of capabilities of other options", () => {
    const graph = new CapabilityGraph({ read: [], write: ["read"] }, true);
    assert.deepEqual(graph.list(undefined, "defaultCapabilities"), []);
    assert.deepEqual(graph.list(["admin", "read"], "defaultCapabilities"), ["admin", "read"]);
    assert.throws(() => graph.list(["wrte"], "defaultCapabilities"), {
      name: "TypeError",
      message: 'defaultCapabilities: "wrte" is not a capability (did you mean "write"?)',
    });
    assert.throws(() => graph.list("read", "guestCapabilities"), {
      message: '"guestCapabilities" must be a list of capabilities',
    });
  });
});
