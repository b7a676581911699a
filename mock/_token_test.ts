// The token, userinfo and revocation endpoints, driven in process through provider.fetch.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { base64url, createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { createMockProvider, type MockProvider } from "./mod.ts";
import { BASE, basic, codeFor, post, REDIRECT, refresh, userinfo } from "./_test_util.ts";

const VERIFIER = "v".repeat(43);
// Key generation is the slow part: tests that need no particular options share one provider.
const shared = createMockProvider();

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url.encode(new Uint8Array(digest));
}

const exchange = (provider: MockProvider, code: string, extra: Record<string, string> = {}) =>
  post(provider, "/oauth2/token", {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    ...extra,
  });

describe("POST /oauth2/token with the authorization_code grant", () => {
  it("answers a signed ID token for the login's user and client, with no-store", async () => {
    const provider = createMockProvider({ email: "ada@example.com", clock: () => 1_000_000_000 });
    const answer = await exchange(provider, await codeFor(provider, { nonce: "n-1" }));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("Cache-Control"), "no-store");
    assert.equal(answer.body.token_type, "Bearer");
    assert.equal(answer.body.expires_in, 3600);
    assert.equal(answer.body.scope, "openid email");
    assert.equal(answer.body.refresh_token, undefined, "no refresh token unless asked for");
    const jwks = createLocalJWKSet(
      await (await provider.fetch(new Request(`${BASE}/oauth2/certs`))).json(),
    );
    const { payload, protectedHeader } = await jwtVerify(answer.body.id_token, jwks, {
      algorithms: ["RS256"],
      issuer: BASE,
      audience: "app",
      currentDate: new Date(1_000_000_000),
    });
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(typeof protectedHeader.kid, "string");
    assert.equal(payload.email, "ada@example.com");
    assert.equal(payload.email_verified, true);
    assert.equal(payload.name, "Ada");
    assert.equal(payload.azp, "app");
    assert.equal(payload.nonce, "n-1");
    assert.equal(payload.iat, 1_000_000);
    assert.equal(payload.exp, 1_000_000 + 3600);
  });

  it("accepts client_secret_post as well as client_secret_basic", async () => {
    const provider = shared;
    const code = await codeFor(provider);
    const answer = await post(
      provider,
      "/oauth2/token",
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT,
        client_id: "app",
        client_secret: "s",
      },
      {},
    );
    assert.equal(answer.status, 200);
  });

  it("issues a refresh token only for offline_access or access_type=offline", async () => {
    const provider = shared;
    const requests: Record<string, string>[] = [
      { scope: "openid email offline_access" },
      { access_type: "offline" },
    ];
    for (const params of requests) {
      const answer = await exchange(provider, await codeFor(provider, params));
      assert.match(answer.body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("gives each email its own stable sub, and login_hint picks the user", async () => {
    const provider = createMockProvider({ email: "ada@example.com" });
    const subOf = async (params: Record<string, string> = {}) =>
      decodeJwt((await exchange(provider, await codeFor(provider, params))).body.id_token);
    const ada = await subOf();
    const bob = await subOf({ login_hint: "bob@example.com" });
    assert.equal(bob.email, "bob@example.com");
    assert.notEqual(bob.sub, ada.sub);
    assert.equal((await subOf()).sub, ada.sub);
    assert.equal(provider.email, "ada@example.com", "login_hint changes nothing else");
  });

  it("verifies PKCE S256", async () => {
    const provider = shared;
    const params = { code_challenge: await challengeOf(VERIFIER), code_challenge_method: "S256" };
    const ok = await exchange(provider, await codeFor(provider, params), {
      code_verifier: VERIFIER,
    });
    assert.equal(ok.status, 200);
  });

  it("answers invalid_grant to every bad code, verifier or redirect_uri", async () => {
    const provider = shared;
    const pkce = { code_challenge: await challengeOf(VERIFIER), code_challenge_method: "S256" };
    const cases: [string, () => Promise<{ status: number; body: { error: string } }>][] = [
      ["an unknown code", () => exchange(provider, "x".repeat(43))],
      [
        "a verifier that does not match",
        async () =>
          exchange(provider, await codeFor(provider, pkce), { code_verifier: "w".repeat(43) }),
      ],
      ["a missing verifier", async () => exchange(provider, await codeFor(provider, pkce))],
      [
        "a malformed verifier",
        async () => exchange(provider, await codeFor(provider, pkce), { code_verifier: "short" }),
      ],
      [
        "a verifier without a challenge",
        async () => exchange(provider, await codeFor(provider), { code_verifier: VERIFIER }),
      ],
      [
        "another redirect_uri",
        async () =>
          exchange(provider, await codeFor(provider), { redirect_uri: REDIRECT + "/other" }),
      ],
      ["another client", async () =>
        post(provider, "/oauth2/token", {
          grant_type: "authorization_code",
          code: await codeFor(provider),
          redirect_uri: REDIRECT,
        }, { Authorization: basic("other-app") })],
      ["a reused code", async () => {
        const code = await codeFor(provider);
        assert.equal((await exchange(provider, code)).status, 200);
        return exchange(provider, code);
      }],
    ];
    for (const [name, run] of cases) {
      const answer = await run();
      assert.deepEqual([answer.status, answer.body.error], [400, "invalid_grant"], name);
    }
  });

  it("revokes the tokens of a code that is redeemed twice", async () => {
    const provider = shared;
    const code = await codeFor(provider, { access_type: "offline" });
    const first = await exchange(provider, code);
    await exchange(provider, code);
    assert.equal((await userinfo(provider, first.body.access_token)).status, 401);
    assert.equal((await refresh(provider, first.body.refresh_token)).body.error, "invalid_grant");
  });

  it("expires codes after 60 seconds of the clock", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const provider = createMockProvider({ clock: () => now });
    const code = await codeFor(provider);
    now += 60_000;
    const answer = await exchange(provider, code);
    assert.deepEqual([answer.status, answer.body.error], [400, "invalid_grant"]);
    now -= 1;
    const fresh = await codeFor(provider);
    now += 59_999;
    assert.equal((await exchange(provider, fresh)).status, 200);
  });

  it("answers the OAuth error for malformed requests and missing clients", async () => {
    const provider = shared;
    const token = (params: Record<string, string>, headers?: Record<string, string>) =>
      post(provider, "/oauth2/token", params, headers);
    const cases: [string, Promise<{ status: number; body: { error: string } }>, number, string][] =
      [
        ["no client", token({ grant_type: "authorization_code" }, {}), 401, "invalid_client"],
        [
          "bad Basic",
          token({ grant_type: "x" }, { Authorization: "Basic !!!" }),
          401,
          "invalid_client",
        ],
        ["two methods", token({ grant_type: "x", client_secret: "s" }), 400, "invalid_request"],
        ["no grant_type", token({}), 400, "invalid_request"],
        ["unknown grant", token({ grant_type: "password" }), 400, "unsupported_grant_type"],
        [
          "no code",
          token({ grant_type: "authorization_code", redirect_uri: REDIRECT }),
          400,
          "invalid_request",
        ],
        [
          "no redirect_uri",
          token({ grant_type: "authorization_code", code: "c" }),
          400,
          "invalid_request",
        ],
        ["no refresh_token", token({ grant_type: "refresh_token" }), 400, "invalid_request"],
      ];
    for (const [name, pending, status, error] of cases) {
      const answer = await pending;
      assert.deepEqual([answer.status, answer.body.error], [status, error], name);
    }
    const invalidClient = await token({ grant_type: "authorization_code" }, {});
    assert.match(invalidClient.headers.get("WWW-Authenticate") ?? "", /^Basic/);
  });

  it("answers 400 invalid_request to bodies that are not form-encoded or repeat a parameter", async () => {
    const provider = shared;
    const send = async (body: string, type: string) => {
      const response = await provider.fetch(
        new Request(`${BASE}/oauth2/token`, {
          method: "POST",
          headers: { "Content-Type": type, Authorization: basic("app") },
          body,
        }),
      );
      return [response.status, (await response.json()).error];
    };
    assert.deepEqual(await send('{"grant_type":"refresh_token"}', "application/json"), [
      400,
      "invalid_request",
    ]);
    assert.deepEqual(
      await send(
        "grant_type=refresh_token&grant_type=password",
        "application/x-www-form-urlencoded",
      ),
      [400, "invalid_request"],
    );
  });
});

describe("POST /oauth2/token with the refresh_token grant", () => {
  it("answers for the same identity after set_email, without rotating the refresh token", async () => {
    const provider = createMockProvider({ email: "ada@example.com" });
    const first = await exchange(provider, await codeFor(provider, { access_type: "offline" }));
    const original = decodeJwt(first.body.id_token);
    provider.setEmail("bob@example.com");
    for (let i = 0; i < 2; i++) {
      const answer = await refresh(provider, first.body.refresh_token);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("Cache-Control"), "no-store");
      assert.equal(answer.body.refresh_token, undefined);
      assert.notEqual(answer.body.access_token, first.body.access_token);
      const claims = decodeJwt(answer.body.id_token);
      assert.equal(claims.sub, original.sub);
      assert.equal(claims.email, "ada@example.com");
      assert.equal(claims.iss, original.iss);
      assert.equal(claims.nonce, undefined);
    }
  });

  it("refuses a refresh token from another client, an unknown one, or a broader scope", async () => {
    const provider = shared;
    const { body } = await exchange(provider, await codeFor(provider, { access_type: "offline" }));
    const other = await refresh(provider, body.refresh_token, { Authorization: basic("other") });
    assert.deepEqual([other.status, other.body.error], [400, "invalid_grant"]);
    const unknown = await refresh(provider, "u".repeat(43));
    assert.deepEqual([unknown.status, unknown.body.error], [400, "invalid_grant"]);
    const broader = await post(provider, "/oauth2/token", {
      grant_type: "refresh_token",
      refresh_token: body.refresh_token,
      scope: "openid profile",
    });
    assert.deepEqual([broader.status, broader.body.error], [400, "invalid_scope"]);
  });
});
