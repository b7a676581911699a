import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { readJsonObject, unauthorized } from "./http.ts";

describe("unauthorized()", () => {
  it("escapes and bounds what goes into WWW-Authenticate, whatever the detail holds", async () => {
    for (
      const detail of [
        'The identity provider refused the grant ("invalid_grant\r\nSet-Cookie: a=b").',
        "refused: \u2603 \u00e9 \u{1F600} \0 \x7f",
        `"quoted" \\ back${"x".repeat(5000)}`,
      ]
    ) {
      const res = unauthorized(detail, true);
      const challenge = res.headers.get("www-authenticate")!;
      assert.match(
        challenge,
        /^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/,
      );
      assert.ok(challenge.length <= 300);
      assert.equal(res.status, 401);
      assert.equal((await res.json()).detail, detail);
    }
  });
});

describe("readJsonObject()", () => {
  it("refuses a body that names a field twice (the schemas are strict)", async () => {
    const app = new Hono().post("/", async (c) => {
      const body = await readJsonObject(c);
      return body instanceof Response ? body : c.json(body);
    });
    const res = await app.request("/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": "ann@example.com", "email": "root@example.com"}',
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).detail, /"email"/);
  });
});
