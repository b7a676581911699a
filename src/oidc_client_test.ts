import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, type JWTPayload } from "jose";
import * as oauth from "oauth4webapi";
import { OAuthMock } from "../testing/mod.ts";
import { forger } from "../testing/_forger.ts";
import { LoginError, OidcClient, ProviderUnavailable, TokenRefused } from "./oidc_client.ts";

describe("OidcClient ID-token validation", () => {
  let mock: OAuthMock;
  before(async () => {
    mock = await OAuthMock.start({ port: 0 });
  });
  after(() => mock.close());

  async function login(client: OidcClient) {
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const redirectUri = "http://127.0.0.1:1/auth";
    const url = await client.authorizationUrl({
      redirectUri,
      state,
      nonce,
      codeVerifier,
      extra: { scope: "openid email" },
      offline: true,
      loginHint: "ann@example.com",
    });
    const res = await fetch(url, { redirect: "manual" });
    const callback = new URL(res.headers.get("location")!);
    return await client.exchangeCode(callback, { state, nonce, codeVerifier, redirectUri });
  }

  function client(fetcher: typeof fetch) {
    return new OidcClient({
      serverMetadataUrl: mock.metadataUrl,
      clientId: "rp",
      clientSecret: "s",
      fetch: fetcher,
      clock: Date.now,
    });
  }

  it("accepts a genuine ID token and refreshes to the same identity", async () => {
    const rp = client(fetch);
    const result = await login(rp);
    assert.equal(result.identity.email, "ann@example.com");
    assert.ok(result.refreshToken);
    const again = await rp.refresh(result.refreshToken!, result.identity);
    assert.equal(again.identity.sub, result.identity.sub);
  });

  it("refuses ID tokens with a bad signature, issuer, audience, expiry, nonce or unverified email", async () => {
    const forged = await forger();
    const rp = client(forged.fetch);
    const stranger = (await generateKeyPair("RS256")).privateKey;
    const cases: [string, (c: JWTPayload) => JWTPayload, CryptoKey?][] = [
      ["signature", (c) => c, stranger],
      ["issuer", (c) => ({ ...c, iss: "https://evil.example" })],
      ["audience", (c) => ({ ...c, aud: "someone-else", azp: "someone-else" })],
      ["expiry", (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 })],
      ["nonce", (c) => ({ ...c, nonce: "another" })],
      ["email_verified", (c) => ({ ...c, email_verified: false })],
      ["email", (c) => ({ ...c, email: undefined })],
    ];
    forged.set((c) => c);
    assert.equal((await login(rp)).identity.email, "ann@example.com", "the forger itself works");
    for (const [what, edit, key] of cases) {
      forged.set(edit, key);
      await assert.rejects(login(rp), LoginError, what);
    }
  });

  it("refuses an ID token issued more than the clock tolerance ahead, at login and on refresh", async () => {
    const forged = await forger();
    const rp = client(forged.fetch);
    const first = await login(rp);
    const now = Math.floor(Date.now() / 1000);
    forged.set((c) => ({ ...c, iat: now + 3600, exp: now + 7200 }));
    await assert.rejects(login(rp), LoginError);
    await assert.rejects(rp.refresh(first.refreshToken!, first.identity), TokenRefused);
    forged.set((c) => ({ ...c, iat: now + 240 }));
    assert.equal((await login(rp)).identity.email, "ann@example.com", "5 minutes are tolerated");
    const strict = new OidcClient({
      serverMetadataUrl: mock.metadataUrl,
      clientId: "rp",
      clientSecret: "s",
      fetch: forged.fetch,
      clock: Date.now,
      clockTolerance: 60,
    });
    await assert.rejects(login(strict), LoginError);
  });

  it("refuses identities in the service and API namespaces, and emails with control characters", async () => {
    const forged = await forger();
    const rp = client(forged.fetch);
    const emails = [
      "deploy@service",
      "Deploy@SERVICE",
      "api:ci-deploy",
      "API:ci",
      "ann@example.com\n",
      "ann\r\n@example.com",
      "a\u0000b@example.com",
      "ann@example.com\u2028",
      `${"a".repeat(250)}@example.com`,
    ];
    for (const email of emails) {
      forged.set((c) => ({ ...c, email, email_verified: undefined }));
      await assert.rejects(login(rp), LoginError, JSON.stringify(email));
    }
  });

  it("refuses a refresh whose ID token names another subject", async () => {
    const forged = await forger();
    const rp = client(forged.fetch);
    const first = await login(rp);
    forged.set((c) => ({ ...c, sub: "someone-else" }));
    await assert.rejects(rp.refresh(first.refreshToken!, first.identity), TokenRefused);
  });

  it("reports an unreachable provider as ProviderUnavailable", async () => {
    const rp = new OidcClient({
      serverMetadataUrl: "http://127.0.0.1:9/.well-known/openid-configuration",
      clientId: "rp",
      fetch,
      clock: Date.now,
    });
    await assert.rejects(rp.metadata(), ProviderUnavailable);
  });

  it("refuses discovery that states another issuer", async () => {
    const rp = new OidcClient({
      serverMetadataUrl: mock.metadataUrl,
      clientId: "rp",
      fetch: async (input, init) => {
        const body = await (await fetch(input, init)).json();
        return Response.json({ ...body, issuer: "https://evil.example" });
      },
      clock: Date.now,
    });
    await assert.rejects(rp.metadata(), ProviderUnavailable);
  });
});
