import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { MAX_YAML_BYTES, parseYaml, parseYamlDocument } from "./_yaml.ts";

describe("parseYamlDocument", () => {
  it("refuses a key that appears twice in the top mapping, naming the file and the key", () => {
    assert.throws(() => parseYamlDocument("a@x: [read]\nb@x: []\na@x: [write]\n", "caps.yaml"), {
      name: "ConfigError",
      message: 'caps.yaml: invalid YAML: Map keys must be unique ("a@x" appears twice)',
      file: "caps.yaml",
    });
  });

  it("refuses duplicate keys in nested block and flow mappings", () => {
    assert.throws(() => parseYaml("top:\n  inner:\n    k: 1\n    k: 2\n"), /"k" appears twice/);
    assert.throws(() => parseYaml("list:\n  - {a: 1, b: 2, a: 3}\n"), /"a" appears twice/);
  });

  it("compares scalar keys by value, as yaml's own check does", () => {
    assert.throws(() => parseYaml("1: a\n1.0: b\n"), /Map keys must be unique/);
    assert.throws(() => parseYaml("~: a\nnull: b\n"), /Map keys must be unique/);
    assert.deepEqual(parseYaml("1: a\n'1': b\n"), { 1: "b" });
  });

  it("accepts the same key in different mappings", () => {
    assert.deepEqual(parseYaml("a: {k: 1}\nb: {k: 2}\nc: [{k: 3}, {k: 4}]\n"), {
      a: { k: 1 },
      b: { k: 2 },
      c: [{ k: 3 }, { k: 4 }],
    });
  });

  it("reports a syntax error before a duplicate key", () => {
    assert.throws(() => parseYaml("a: 1\na: 2\nb: [\n", "f.yaml"), (error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^f\.yaml: invalid YAML: /);
      assert.doesNotMatch(error.message, /unique/);
      return true;
    });
  });

  it("refuses custom tags, files over the size limit and too many aliases", () => {
    assert.throws(() => parseYaml("a: !secret x\n"), /invalid YAML/);
    assert.throws(() => parseYaml(`a: "${"x".repeat(MAX_YAML_BYTES)}"\n`), /larger than/);
    const laughs = "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
      "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    assert.throws(() => parseYaml(laughs), /too many YAML aliases/);
  });

  it("checks 20,000 keys in well under the time a comparison of every pair takes", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `user${i}@example.com: [read]`);
    const started = performance.now();
    const value = parseYaml(lines.join("\n") + "\n") as Record<string, unknown>;
    const ms = performance.now() - started;
    assert.equal(Object.keys(value).length, 20_000);
    // Comparing every key with every earlier one took about 5 s here; one pass takes 0.3 s.
    assert.ok(ms < 2500, `took ${Math.round(ms)} ms`);
  });
});
