import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { emailProblem, quoteForMessage } from "./_email.ts";

describe("emailProblem()", () => {
  it("accepts ordinary addresses and service accounts without a dotted domain", () => {
    for (
      const email of [
        "ann@example.com",
        "pierre-jean-jacques@youhou.fr",
        "first.last+tag@sub.example.co.uk",
        "bot@service",
        "o'brien@example.ie",
        "x!#$%&'*+/=?^_`{|}~-y@a-b.c",
        `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}`,
      ]
    ) {
      assert.equal(emailProblem(email), null, email);
    }
  });

  it("refuses values that are not strings", () => {
    for (const value of [undefined, null, 42, {}, ["a@b"]]) {
      assert.equal(emailProblem(value), "is not a string");
    }
  });

  it("refuses addresses longer than 254 characters", () => {
    const email = `a@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.${"e".repeat(61)}`;
    assert.equal(email.length, 255);
    assert.equal(emailProblem(email), "is longer than 254 characters");
  });

  it("refuses whitespace, newlines and control characters anywhere", () => {
    for (const email of ["a b@c.d", "a@b.c\n", "a\r\n@b.c", "a\t@b", "a\u0000@b", "a@b\u200b"]) {
      assert.equal(emailProblem(email), "contains whitespace or a control character", email);
    }
  });

  it("refuses a missing or a repeated @", () => {
    assert.equal(emailProblem("ann.example.com"), 'has no "@"');
    assert.equal(emailProblem("__proto__"), 'has no "@"');
    assert.equal(emailProblem("a@b@c"), 'has more than one "@"');
  });

  it("refuses empty or misplaced parts", () => {
    assert.equal(emailProblem(""), "is empty");
    assert.equal(emailProblem("@b.c"), 'has nothing before the "@"');
    assert.equal(emailProblem("a@"), 'has nothing after the "@"');
    assert.equal(emailProblem(".a@b.c"), 'has a misplaced "." before the "@"');
    assert.equal(emailProblem("a.@b.c"), 'has a misplaced "." before the "@"');
    assert.equal(emailProblem("a..b@c"), 'has a misplaced "." before the "@"');
    assert.equal(emailProblem("a@.b"), 'has a misplaced "." after the "@"');
    assert.equal(emailProblem("a@b."), 'has a misplaced "." after the "@"');
    assert.equal(emailProblem("a@b..c"), 'has a misplaced "." after the "@"');
    assert.equal(emailProblem(`${"a".repeat(65)}@b`), 'has more than 64 characters before the "@"');
  });

  it("refuses characters outside the conservative sets", () => {
    for (const email of ['"a"@b', "a(b)@c", "a,b@c", "a:b@c", "[a]@b", "é@b.c", "a\\b@c"]) {
      assert.equal(emailProblem(email), 'has a character not allowed before the "@"', email);
    }
    for (const email of ["a@b_c", "a@[127.0.0.1]", "a@bé.c", "a@b:80", "a@b/c", "a@b'c"]) {
      assert.equal(emailProblem(email), 'has a character not allowed after the "@"', email);
    }
    assert.equal(
      emailProblem(`a@${"b".repeat(64)}.c`),
      'has a character not allowed after the "@"',
    );
  });
});

describe("quoteForMessage()", () => {
  it("escapes newlines and cuts long values short", () => {
    assert.equal(quoteForMessage("a\nb"), '"a\\nb"');
    assert.equal(quoteForMessage("x".repeat(100)), `"${"x".repeat(80)}…"`);
  });

  it("names the type of values that are not strings", () => {
    assert.equal(quoteForMessage(42), "a value of type number");
    assert.equal(quoteForMessage(null), "a value of type null");
  });
});
