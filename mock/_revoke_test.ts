import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMockProvider, type MockProvider } from "./mod.ts";

const BASE = "http://idp.test";
const REDIRECT = "http://localhost:3000/auth";
// Key generation is the slow part: tests that need no particular options share one provider.
const shared = createMockProvider();

const basic = (clientId: string) => "Basic " + btoa(`${clientId}:secret`);

async function post(
  provider: MockProvider,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = { Authorization: basic("app") },
) {
  const response = await provider.fetch(
    new Request(BASE + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(params),
    }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** Logs in through /oauth2/auth and /oauth2/token; the token response's body. */
async function login(provider: MockProvider, params: Record<string, string> = {}) {
  const query = new URLSearchParams({
    client_id: "app",
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid email",
    ...params,
  });
  const response = await provider.fetch(new Request(`${BASE}/oauth2/auth?${query}`));
  const code = new URL(response.headers.get("Location")!).searchParams.get("code")!;
  const answer = await post(provider, "/oauth2/token", {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
  });
  assert.equal(answer.status, 200);
  return answer.body;
}

async function userinfo(provider: MockProvider, accessToken: string) {
  const response = await provider.fetch(
    new Request(`${BASE}/oauth2/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } }),
  );
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const refresh = (provider: MockProvider, token: string, headers?: Record<string, string>) =>
  post(provider, "/oauth2/token", { grant_type: "refresh_token", refresh_token: token }, headers);

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
