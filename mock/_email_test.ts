import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { identityFor, isValidEmail, nameFor, subjectFor } from "./_email.ts";

describe("isValidEmail()", () => {
  it("accepts ordinary addresses, and service-like ones without a dot", () => {
    for (
      const email of ["a@b.c", "test@example.com", "jane.doe+tag@mail.example.org", "bot@service"]
    ) {
      assert.equal(isValidEmail(email), true, email);
    }
  });

  it("refuses non-strings, missing parts, spaces, newlines and YAML tricks", () => {
    const bad = [
      42,
      null,
      "",
      "a",
      "@b.c",
      "a@",
      "a b@c.d",
      "a@b.c\n",
      "a@b..c",
      "a@-b.c",
      "a@b@c.d",
      "a:@b.c",
      '"a"@b.c',
      "a@b.c ",
      "x".repeat(250) + "@b.cd",
    ];
    for (const value of bad) assert.equal(isValidEmail(value), false, JSON.stringify(value));
  });
});

describe("subjectFor()", () => {
  it("is stable for one email and distinct between emails", async () => {
    const a1 = await subjectFor("a@b.c");
    assert.equal(a1, await subjectFor("a@b.c"));
    assert.notEqual(a1, await subjectFor("b@b.c"));
    assert.match(a1, /^[0-9a-f]{64}$/);
  });
});

describe("identityFor()", () => {
  it("derives given_name, family_name and picture from the email, as upstream's mock", async () => {
    const jane = await identityFor("jane.van.doe@example.com");
    assert.equal(jane.name, "Jane Van Doe");
    assert.equal(jane.given_name, "Jane");
    assert.equal(jane.family_name, "Van Doe");
    assert.equal(jane.sub, await subjectFor("jane.van.doe@example.com"));
    assert.match(jane.picture, /^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}\?d=identicon$/);
    const test = await identityFor("test@example.com");
    assert.deepEqual([test.given_name, test.family_name], ["Test", ""]);
  });
});

describe("nameFor()", () => {
  it("makes a display name from the local part", () => {
    assert.equal(nameFor("jane.doe@example.com"), "Jane Doe");
    assert.equal(nameFor("test@example.com"), "Test");
  });
});
