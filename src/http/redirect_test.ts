import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { safeReturnPath } from "./redirect.ts";

describe("safeReturnPath()", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    assert.equal(safeReturnPath("/shout?message=hi#top"), "/shout?message=hi#top");
    assert.equal(safeReturnPath("/"), "/");
  });

  it("refuses everything that could leave the origin", () => {
    for (
      const bad of [
        "//evil.com",
        "/\\evil.com",
        "https://evil.com",
        "javascript:alert(1)",
        "evil.com",
        "/%2F%2Fevil.com",
        "/%2f/evil.com",
        "/%5Cevil.com",
        "/%252F%252Fevil.com",
        "/ok\r\nSet-Cookie: x=1",
        "/ok%0d%0aSet-Cookie:x",
        "",
        "\t//evil.com",
        undefined,
        42,
      ]
    ) {
      assert.equal(safeReturnPath(bad), "/", String(bad));
    }
  });
});
