import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { duplicateKey } from "./_json_keys.ts";

describe("duplicateKey()", () => {
  it("finds a key named twice in one object, at any depth and however it is escaped", () => {
    assert.equal(duplicateKey('{"a": 1, "a": 2}'), "a");
    assert.equal(duplicateKey('{"email": "x", "\\u0065mail": "y"}'), "email");
    assert.equal(duplicateKey('{"a": {"b": [1, {"c": 1, "c": 2}]}}'), "c");
    assert.equal(duplicateKey('{"__proto__": 1, "__proto__": 2}'), "__proto__");
  });

  it("does not confuse values, sibling objects or escaped quotes with duplicate keys", () => {
    assert.equal(duplicateKey('{"a": "a", "b": ["a", "a"]}'), undefined);
    assert.equal(duplicateKey('[{"a": 1}, {"a": 2}]'), undefined);
    assert.equal(duplicateKey('{"a": {"a": 1}, "b": {"a": 2}}'), undefined);
    assert.equal(duplicateKey('{"a\\"": 1, "a": 2, "x": "\\\\", "y": "}"}'), undefined);
  });
});
