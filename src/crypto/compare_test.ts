import { it } from "node:test";
import assert from "node:assert/strict";
import { timingSafeEqual } from "./compare.ts";

it("timingSafeEqual() tells equal strings from different ones, whatever their lengths", () => {
  assert.equal(timingSafeEqual("abc", "abc"), true);
  assert.equal(timingSafeEqual("abc", "abd"), false);
  assert.equal(timingSafeEqual("abc", "abcd"), false);
  assert.equal(timingSafeEqual("", ""), true);
  assert.equal(timingSafeEqual("é", "e\u0301"), false);
});
