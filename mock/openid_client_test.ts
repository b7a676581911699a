// The mock judged by a certified relying party: openid-client 6 (panva), over
// HTTP, with every check it makes (issuer, signature, nonce, PKCE, auth_time).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { OAuthMock } from "../testing/mod.ts";

const REDIRECT = "http://127.0.0.1:8000/auth";
const CLIENT = { clientId: "rp", clientSecret: "rp-secret-._~", redirectUris: [REDIRECT] };

/** A configuration from the mock's discovery document (http: loopback needs the opt-in). */
function discover(mock: OAuthMock, secret = CLIENT.clientSecret): Promise<client.Configuration> {
  return client.discovery(new URL(mock.url), CLIENT.clientId, secret, undefined, {
    execute: [client.allowInsecureRequests],
  });
}

/** One login: the authorization request, the mock's answer, the code exchange. */
async function logIn(
  config: client.Configuration,
  extra: Record<string, string> = {},
  maxAge?: number,
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid email profile offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...(maxAge === undefined ? {} : { max_age: String(maxAge) }),
    ...extra,
  });
  const answer = await fetch(url, { redirect: "manual" });
  const callback = extra.response_mode === "form_post"
    ? await formPostOf(answer)
    : new URL(answer.headers.get("location")!);
  return await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    maxAge,
  });
}

/** The POST a browser makes from a form_post page. */
async function formPostOf(page: Response): Promise<Request> {
  assert.equal(page.status, 200);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)">/.exec(html)![1];
  const body = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/name="([^"]+)" value="([^"]*)"/g)) {
    body.set(name, value.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))));
  }
  return new Request(action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
}

describe("the mock provider, driven by openid-client", () => {
  it("passes discovery, code + PKCE, refresh, userinfo and revocation", async () => {
    await using mock = await OAuthMock.start({ port: 0, email: "jane.doe@example.com" });
    const config = await discover(mock);
    assert.equal(config.serverMetadata().issuer, mock.url);
    const tokens = await logIn(config);
    const claims = tokens.claims()!;
    assert.equal(claims.email, "jane.doe@example.com");
    assert.equal(claims.given_name, "Jane");
    assert.equal(typeof claims.auth_time, "number");
    assert.ok(tokens.refresh_token, "offline_access gives a refresh token");

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()!.sub, claims.sub);
    assert.equal(refreshed.claims()!.auth_time, claims.auth_time, "auth_time survives a refresh");

    const info = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
    assert.equal(info.email, "jane.doe@example.com");
    assert.equal(info.family_name, "Doe");

    await client.tokenRevocation(config, tokens.refresh_token!);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (err) => {
      assert.ok(err instanceof client.ResponseBodyError, String(err));
      assert.equal(err.error, "invalid_grant");
      return true;
    });
  });

  it("answers max_age with an auth_time openid-client accepts, re-authenticating when too old", async () => {
    let offset = -120_000; // the first login happened two minutes ago
    await using mock = await OAuthMock.start({ port: 0, clock: () => Date.now() + offset });
    const config = await discover(mock);
    const first = (await logIn(config)).claims()!;
    offset = 0;
    const again = (await logIn(config, {}, 60)).claims()!;
    assert.ok(
      again.auth_time! >= first.auth_time! + 100,
      "a session older than max_age is renewed",
    );
    const within = (await logIn(config, {}, 600)).claims()!;
    assert.equal(within.auth_time, again.auth_time, "a young enough session is kept");
  });

  it("answers response_mode=form_post with a form openid-client completes", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    const tokens = await logIn(await discover(mock), { response_mode: "form_post" });
    assert.equal(tokens.claims()!.email, "test@example.com");
  });

  it("refuses a wrong client secret as a real provider does, when clients are registered", async () => {
    await using mock = await OAuthMock.start({ port: 0, clients: [CLIENT] });
    assert.ok((await logIn(await discover(mock))).access_token, "the registered client logs in");
    const url = client.buildAuthorizationUrl(await discover(mock), {
      redirect_uri: REDIRECT,
      scope: "openid",
    });
    const answer = await fetch(url, { redirect: "manual" });
    const callback = new URL(answer.headers.get("location")!);
    const wrong = await discover(mock, "not-the-secret");
    const err = await client.authorizationCodeGrant(wrong, callback, {
      expectedState: client.skipStateCheck,
    }).then(() => undefined, (error: unknown) => error);
    // A 401 with a challenge: openid-client reports the challenge, the body says why.
    assert.ok(err instanceof client.WWWAuthenticateChallengeError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.cause[0].scheme, "basic");
    assert.equal((await err.response.json()).error, "invalid_client");
  });
});
