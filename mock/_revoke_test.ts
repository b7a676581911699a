import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMockProvider } from "./mod.ts";
import { basic, login, post, refresh, userinfo } from "./_test_util.ts";

// Key generation is the slow part: tests that need no particular options share one provider.
const shared = createMockProvider();

describe("POST /oauth2/revoke", () => {
  it("revokes a refresh token and the access tokens of its grant", async () => {
    const provider = shared;
    const body = await login(provider, { access_type: "offline" });
    const answer = await post(provider, "/oauth2/revoke", {
      token: body.refresh_token,
      token_type_hint: "refresh_token",
    });
    assert.equal(answer.status, 200);
    assert.equal((await refresh(provider, body.refresh_token)).body.error, "invalid_grant");
    assert.equal((await userinfo(provider, body.access_token)).status, 401);
  });

  it("revokes an access token alone", async () => {
    const provider = shared;
    const body = await login(provider, { access_type: "offline" });
    assert.equal(
      (await post(provider, "/oauth2/revoke", { token: body.access_token })).status,
      200,
    );
    assert.equal((await userinfo(provider, body.access_token)).status, 401);
    assert.equal((await refresh(provider, body.refresh_token)).status, 200);
  });

  it("answers 200 to an unknown token, and refuses another client's token or no client", async () => {
    const provider = shared;
    assert.equal((await post(provider, "/oauth2/revoke", { token: "nope" })).status, 200);
    const body = await login(provider, { access_type: "offline" });
    const other = await post(provider, "/oauth2/revoke", { token: body.refresh_token }, {
      Authorization: basic("other"),
    });
    assert.deepEqual([other.status, other.body.error], [400, "invalid_request"]);
    assert.equal((await refresh(provider, body.refresh_token)).status, 200, "still valid");
    const anonymous = await post(provider, "/oauth2/revoke", { token: body.refresh_token }, {});
    assert.deepEqual([anonymous.status, anonymous.body.error], [401, "invalid_client"]);
    const empty = await post(provider, "/oauth2/revoke", {});
    assert.deepEqual([empty.status, empty.body.error], [400, "invalid_request"]);
  });
});
