import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { pythonJsonDumps } from "./_pyjson.ts";

const hasPython = spawnSync("python3", ["-c", "import json"], { encoding: "utf8" }).status === 0;

describe("pythonJsonDumps()", () => {
  it("writes Python's separators and ASCII escapes", () => {
    assert.equal(pythonJsonDumps({ a: [1, 2] }), '{"a": [1, 2]}');
    assert.equal(
      pythonJsonDumps("üñí©ødé ✓"),
      '"\\u00fc\\u00f1\\u00ed\\u00a9\\u00f8d\\u00e9 \\u2713"',
    );
    assert.equal(
      pythonJsonDumps('😀\u007f\u0001\n"\\/'),
      '"\\ud83d\\ude00\\u007f\\u0001\\n\\"\\\\/"',
    );
    assert.equal(pythonJsonDumps([]), "[]");
    assert.equal(pythonJsonDumps({}), "{}");
    assert.equal(pythonJsonDumps([true, false, null]), "[true, false, null]");
  });

  it("writes non-integral numbers as Python's float repr", () => {
    assert.equal(pythonJsonDumps(2.5), "2.5");
    assert.equal(pythonJsonDumps(1e-7), "1e-07");
    assert.equal(pythonJsonDumps(0.0001), "0.0001");
    assert.equal(pythonJsonDumps(1.5e300), "1.5e+300");
    assert.equal(pythonJsonDumps(-0), "-0.0");
    assert.equal(pythonJsonDumps(1e20), "1e+20");
    assert.equal(pythonJsonDumps(123456.789), "123456.789");
  });

  it("refuses what JSON cannot hold", () => {
    assert.throws(() => pythonJsonDumps(undefined), TypeError);
    assert.throws(() => pythonJsonDumps(Infinity), TypeError);
    assert.throws(() => pythonJsonDumps(new Date()), TypeError);
    assert.throws(() => pythonJsonDumps({ a: () => 1 }), TypeError);
  });

  it(
    "matches Python's json.dumps byte for byte",
    { skip: hasPython ? false : "no python3" },
    () => {
      const value = {
        s: "tab\there \u2028 😀 \u00e9 <>&'\"\\ \u0000 \u001f \u007f",
        n: [0, -3, 2.5, 1e-7, 0.001, 123456.789, 1.5e300, 9007199254740991],
        nested: { "key ü": [[], {}, null, true] },
      };
      const run = spawnSync(
        "python3",
        ["-c", "import json, sys; sys.stdout.write(json.dumps(json.load(sys.stdin)))"],
        { input: JSON.stringify(value), encoding: "utf8" },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal(pythonJsonDumps(value), run.stdout);
    },
  );
});
