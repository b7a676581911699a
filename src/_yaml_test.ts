import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { MAX_YAML_BYTES, parseYaml, parseYamlDocument } from "./_yaml.ts";

describe("parseYamlDocument", () => {
  it("refuses a key that appears twice in the top mapping, naming the file and the key", () => {
    assert.throws(() => parseYamlDocument("a@x: [read]\nb@x: []\na@x: [write]\n", "caps.yaml"), {
      name: "ConfigError",
      message: 'caps.yaml: invalid YAML: Map keys must be unique ("a@x" appears twice) ' +
        '(line 3, column 1: "a@x: [write]")',
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

  it("names the line and column of a syntax error and quotes the offending line", () => {
    const text = "server_metadata_url: https://example.com\nclient_id: app\n" +
      "capabilities:\n  graph:\n    read: []\n   write: [read]\n";
    assert.throws(() => parseYaml(text, "config.yaml"), {
      name: "ConfigError",
      message: "config.yaml: invalid YAML: All mapping items must start at the same column " +
        '(line 6, column 1: "   write: [read]")',
    });
    assert.throws(
      () => parseYaml("a: 1\nb: [x,\n", "f.yaml"),
      /^ConfigError: f\.yaml: invalid YAML: Flow sequence .* \(at the end of the file, line 3\)$/,
    );
    assert.throws(
      () => parseYaml("a: !secret x\n", "f.yaml"),
      /\(line 1, column 4: "a: !secret x"\)$/,
    );
  });

  it("refuses custom tags, files over the size limit and too many aliases", () => {
    assert.throws(() => parseYaml("a: !secret x\n"), /invalid YAML/);
    assert.throws(() => parseYaml(`a: "${"x".repeat(MAX_YAML_BYTES)}"\n`), /larger than/);
    const laughs = "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
      "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    assert.throws(() => parseYaml(laughs), /too many YAML aliases/);
  });

  it("checks duplicate keys in time that grows linearly, not with every pair", () => {
    // A wall-clock bound fails on a loaded machine; the growth from 500 to
    // 8,000 keys does not: about 16x for one pass, 256x for every pair, far
    // enough apart that load on either side cannot blur them.
    const fastest = (n: number) => {
      const text = Array.from({ length: n }, (_, i) => `user${i}@example.com: [read]`).join("\n");
      let best = Infinity;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        const value = parseYaml(text + "\n") as Record<string, unknown>;
        best = Math.min(best, performance.now() - started);
        assert.equal(Object.keys(value).length, n);
      }
      return best;
    };
    const growth = fastest(8_000) / fastest(500);
    assert.ok(growth < 64, `16x the keys took ${growth.toFixed(1)}x the time`);
  });
});
