// oauth4webapi as the relying party against OAuthMock over real HTTP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { OAuthMock } from "./oauth_mock.ts";

const REDIRECT = "http://localhost:3000/auth";
const client: oauth.Client = { client_id: "my-app" };
const clientAuth = oauth.ClientSecretBasic("any-secret");
// The mock serves plain http on the loopback.
const http = { [oauth.allowInsecureRequests]: true } as const;

async function discover(mock: OAuthMock): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(mock.url);
  return await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
}

/** A whole login: PKCE, state and nonce, every check oauth4webapi makes, and the signature. */
async function login(
  as: oauth.AuthorizationServer,
  extra: Record<string, string> = {},
): Promise<{ tokens: oauth.TokenEndpointResponse; claims: oauth.IDToken }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  const params = {
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid email",
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const redirect = await fetch(url, { redirect: "manual" });
  assert.equal(redirect.status, 302);
  const callback = oauth.validateAuthResponse(
    as,
    client,
    new URL(redirect.headers.get("Location")!),
    state,
  );
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    clientAuth,
    callback,
    REDIRECT,
    verifier,
    http,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: nonce,
    requireIdToken: true,
  });
  // oauth4webapi checks the claims but not the signature: jose does, against the JWKS.
  const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
  await jwtVerify(tokens.id_token!, jwks, {
    algorithms: ["RS256"],
    issuer: as.issuer,
    audience: client.client_id,
  });
  return { tokens, claims: oauth.getValidatedIdTokenClaims(tokens)! };
}

function refresh(as: oauth.AuthorizationServer, refreshToken: string) {
  return oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, http)
    .then((response) => oauth.processRefreshTokenResponse(as, client, response));
}

describe("OAuthMock", () => {
  // RSA key generation is the slow part: tests that need no particular clock share one mock
  // and set its email first.
  let shared: OAuthMock;
  before(async () => {
    shared = await OAuthMock.start({ port: 0 });
  });
  after(() => shared.close());

  it("serves on a free port, with the issuer and metadata URL it reports", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(mock.metadataUrl, `${mock.url}/.well-known/openid-configuration`);
    const as = await discover(mock);
    assert.equal(as.issuer, mock.url);
    assert.equal(as.authorization_endpoint, `${mock.url}/oauth2/auth`);
  });

  it("passes oauth4webapi's code flow with PKCE, state and nonce, with a verified signature", async () => {
    const mock = shared;
    await mock.setEmail("ada@example.com");
    const as = await discover(mock);
    const { tokens, claims } = await login(as);
    assert.equal(claims.email, "ada@example.com");
    assert.equal(claims.email_verified, true);
    assert.equal(claims.aud, client.client_id);
    assert.equal(claims.iss, mock.url);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.refresh_token, undefined);
  });

  it("answers userinfo for the logged-in user", async () => {
    const mock = shared;
    await mock.setEmail("ada@example.com");
    const as = await discover(mock);
    const { tokens, claims } = await login(as);
    const info = await oauth.processUserInfoResponse(
      as,
      client,
      claims.sub,
      await oauth.userInfoRequest(as, client, tokens.access_token, http),
    );
    assert.equal(info.email, "ada@example.com");
    assert.equal(info.name, "Ada");
  });

  it("refreshes for the same sub after setEmail(), until the refresh token is revoked", async () => {
    const mock = shared;
    await mock.setEmail("ada@example.com");
    const as = await discover(mock);
    const { tokens, claims } = await login(as, { scope: "openid email offline_access" });
    assert.ok(tokens.refresh_token);
    await mock.setEmail("bob@example.com");
    const refreshed = await refresh(as, tokens.refresh_token);
    const again = oauth.getValidatedIdTokenClaims(refreshed)!;
    assert.equal(again.sub, claims.sub);
    assert.equal(again.email, "ada@example.com");
    assert.equal(refreshed.refresh_token, undefined, "not rotated");
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, http),
    );
    await assert.rejects(
      refresh(as, tokens.refresh_token),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === "invalid_grant",
    );
  });

  it("logs in whoever set_email (JSON or form) or login_hint names", async () => {
    const mock = shared;
    const as = await discover(mock);
    await mock.setEmail("test@example.com");
    assert.equal((await login(as)).claims.email, "test@example.com");
    const json = await fetch(`${mock.url}/set_email`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "a@b.c" }),
    });
    assert.deepEqual(await json.json(), {
      status: "ok",
      message: "Email set to a@b.c",
      email: "a@b.c",
    });
    assert.equal((await login(as)).claims.email, "a@b.c");
    const form = await fetch(`${mock.url}/set_email`, {
      method: "POST",
      body: new URLSearchParams({ email: "x@y.z" }),
    });
    assert.equal(form.status, 200);
    await form.body?.cancel();
    assert.equal((await login(as)).claims.email, "x@y.z");
    const hinted = await login(as, { login_hint: "hint@example.com" });
    assert.equal(hinted.claims.email, "hint@example.com");
    assert.equal(mock.provider.email, "x@y.z");
  });

  it("lets the clock expire access tokens", async () => {
    let now = Date.now();
    await using mock = await OAuthMock.start({ port: 0, clock: () => now });
    const as = await discover(mock);
    const { tokens, claims } = await login(as);
    now += 3600_000;
    const response = await oauth.userInfoRequest(as, client, tokens.access_token, http);
    await assert.rejects(
      oauth.processUserInfoResponse(as, client, claims.sub, response),
      (err: unknown) =>
        err instanceof oauth.WWWAuthenticateChallengeError &&
        err.cause[0].parameters.error === "invalid_token",
    );
  });

  it("rejects an invalid email in setEmail() with a TypeError", async () => {
    await assert.rejects(shared.setEmail("nope"), TypeError);
  });

  it("stops serving on close(), which can be called twice, and on `await using`", async () => {
    const mock = await OAuthMock.start({ port: 0 });
    await mock.close();
    await mock.close();
    await assert.rejects(fetch(mock.metadataUrl));
    let url: string;
    {
      await using scoped = await OAuthMock.start({ port: 0 });
      url = scoped.metadataUrl;
      await (await fetch(url)).body?.cancel();
    }
    await assert.rejects(fetch(url));
  });

  it("throws a TypeError naming a bad option", async () => {
    await assert.rejects(OAuthMock.start({ port: -1 }), { name: "TypeError", message: /"port"/ });
    await assert.rejects(OAuthMock.start({ port: 0, email: "x" }), {
      name: "TypeError",
      message: /"email"/,
    });
  });

  it("goes down (connections refused) and comes back up on the same port, tokens intact", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    const before = await (await fetch(mock.metadataUrl)).json();
    await mock.down();
    await mock.down();
    await assert.rejects(fetch(mock.metadataUrl));
    await mock.up();
    await mock.up();
    assert.deepEqual(await (await fetch(mock.metadataUrl)).json(), before);
  });

  it("passes faults, quirks, users and key rotation on to its provider", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    mock.fail("discovery", { status: 502, times: 2 });
    assert.equal((await fetch(mock.metadataUrl)).status, 502);
    mock.heal();
    assert.equal((await fetch(mock.metadataUrl)).status, 200);
    const jwks = `${mock.url}/oauth2/certs`;
    const first = (await (await fetch(jwks)).json()).keys[0].kid;
    await mock.rotateKeys({ keepOld: true });
    const kids = (await (await fetch(jwks)).json()).keys.map((k: { kid: string }) => k.kid);
    assert.equal(kids.length, 2);
    assert.equal(kids[1], first);
    mock.setQuirks({ emailInUserinfoOnly: true });
    mock.setUser("ada@example.com", { name: "Ada" });
    assert.throws(() => mock.setUser("nobody", {}), TypeError);
  });

  it("logs in without asking by default, and shows the login page with loginPage", async () => {
    const query =
      "response_type=code&client_id=app&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F";
    await using auto = await OAuthMock.start({ port: 0 });
    const direct = await fetch(`${auto.url}/oauth2/auth?${query}`, { redirect: "manual" });
    assert.equal(direct.status, 302);
    await using paged = await OAuthMock.start({ port: 0, loginPage: true });
    const page = await fetch(`${paged.url}/oauth2/auth?${query}`);
    assert.match(await page.text(), /<h1>Mock provider: log in<\/h1>/);
  });
});
