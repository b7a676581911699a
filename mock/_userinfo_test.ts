import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { createMockProvider } from "./mod.ts";
import { BASE, login, userinfo } from "./_test_util.ts";

// Key generation is the slow part: tests that need no particular options share one provider.
const shared = createMockProvider();

describe("GET /oauth2/userinfo", () => {
  it("answers the user's claims until the access token expires", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const provider = createMockProvider({
      email: "ada@example.com",
      clock: () => now,
      accessTokenTtl: 60,
    });
    const body = await login(provider);
    assert.equal(body.expires_in, 60);
    const ok = await userinfo(provider, body.access_token);
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body).sort(), [
      "email",
      "email_verified",
      "family_name",
      "given_name",
      "name",
      "picture",
      "sub",
    ]);
    assert.equal(ok.body.email, "ada@example.com");
    assert.equal(ok.body.sub, decodeJwt(body.id_token).sub);
    now += 60_000;
    const expired = await userinfo(provider, body.access_token);
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error, "invalid_token");
    assert.match(expired.headers.get("WWW-Authenticate")!, /^Bearer .*error="invalid_token"/);
  });

  it("answers 401 with a Bearer challenge without a token, and reads the scheme case-insensitively", async () => {
    const provider = shared;
    const none = await provider.fetch(new Request(`${BASE}/oauth2/userinfo`));
    assert.equal(none.status, 401);
    assert.match(none.headers.get("WWW-Authenticate")!, /^Bearer/);
    await none.body?.cancel();
    const body = await login(provider);
    const lower = await provider.fetch(
      new Request(`${BASE}/oauth2/userinfo`, {
        method: "POST",
        headers: { Authorization: `bearer ${body.access_token}` },
      }),
    );
    assert.equal(lower.status, 200);
    await lower.body?.cancel();
  });
});
