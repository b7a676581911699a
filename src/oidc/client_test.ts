import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, type JWTPayload } from "jose";
import { OAuthMock } from "../../testing/mod.ts";
import { loginWith } from "../../testing/_fixtures.ts";
import { forger } from "../../testing/_forger.ts";
import {
  LoginError,
  OidcClient,
  ProviderMisconfigured,
  ProviderUnavailable,
  TokenRefused,
} from "./client.ts";

describe("OidcClient ID-token validation", () => {
  let mock: OAuthMock;
  before(async () => {
    mock = await OAuthMock.start({ port: 0 });
  });
  after(() => mock.close());

  const login = (client: OidcClient) => loginWith(client);

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
    ];
    forged.set((c) => c);
    assert.equal((await login(rp)).identity.email, "ann@example.com", "the forger itself works");
    for (const [what, edit, key] of cases) {
      forged.set(edit, key);
      await assert.rejects(login(rp), LoginError, what);
    }
  });

  it("takes the email from userinfo when the ID token carries none (OIDC Core §5.4)", async () => {
    const rp = client(fetch);
    mock.setQuirks({ emailInUserinfoOnly: true });
    try {
      const result = await login(rp);
      assert.equal(result.identity.email, "ann@example.com");
      const again = await rp.refresh(result.refreshToken!, result.identity);
      assert.equal(again.identity.email, "ann@example.com");
    } finally {
      mock.setQuirks({ emailInUserinfoOnly: false });
    }
  });

  it("refuses an ID token issued more than the clock tolerance ahead, at login and on refresh", async () => {
    const forged = await forger();
    const rp = client(forged.fetch);
    const first = await login(rp);
    const now = Math.floor(Date.now() / 1000);
    forged.set((c) => ({ ...c, iat: now + 3600, exp: now + 7200 }));
    await assert.rejects(login(rp), LoginError);
    // On refresh an unusable ID token is an outage: the grant is not the provider's to end there.
    await assert.rejects(rp.refresh(first.refreshToken!, first.identity), ProviderUnavailable);
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

  it("cuts the provider's name to 200 characters in the identity, whole characters only", async () => {
    const forged = await forger();
    const rp = client(forged.fetch);
    forged.set((c) => ({ ...c, name: "N".repeat(5000) }));
    assert.equal((await login(rp)).identity.name, "N".repeat(200));
    forged.set((c) => ({ ...c, name: "a" + "\u{1F600}".repeat(3000) }));
    const first = await login(rp);
    assert.equal(first.identity.name, "a" + "\u{1F600}".repeat(99), "no half surrogate pair");
    const refreshed = await rp.refresh(first.refreshToken!, first.identity);
    assert.equal(refreshed.identity.name, first.identity.name);
  });

  it("refuses a refresh whose ID token names another subject", async () => {
    const rp = client(fetch);
    const first = await login(rp);
    mock.setUser("ann@example.com", { claims: { sub: "someone-else" } });
    try {
      await assert.rejects(rp.refresh(first.refreshToken!, first.identity), TokenRefused);
    } finally {
      mock.setUser("ann@example.com", {});
    }
  });

  it("sends Google-shaped credentials to the token endpoint as Google compares them", async () => {
    const sent: (string | null)[] = [];
    const rp = new OidcClient({
      serverMetadataUrl: mock.metadataUrl,
      clientId: "1234-abc.apps.googleusercontent.com",
      clientSecret: "GOCSPX-ab_cd.ef",
      fetch: (input, init) => {
        const request = new Request(input, init);
        if (new URL(request.url).pathname.endsWith("/token")) {
          sent.push(request.headers.get("authorization"));
        }
        return fetch(request);
      },
      clock: Date.now,
    });
    await login(rp);
    assert.deepEqual(sent, [
      "Basic MTIzNC1hYmMuYXBwcy5nb29nbGV1c2VyY29udGVudC5jb206R09DU1BYLWFiX2NkLmVm",
    ]);
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

  it("reports discovery that states another issuer as a misconfiguration saying what to fix", async () => {
    const metadata = await (await fetch(mock.metadataUrl)).json();
    mock.fail("discovery", {
      body: JSON.stringify({ ...metadata, issuer: "https://evil.example" }),
    });
    const rp = new OidcClient({
      serverMetadataUrl: mock.metadataUrl,
      clientId: "rp",
      fetch,
      clock: Date.now,
    });
    await assert.rejects(rp.metadata(), (error: Error) => {
      assert.ok(error instanceof ProviderMisconfigured);
      assert.match(
        error.message,
        /states the issuer "https:\/\/evil\.example", expected "http:\/\/127/,
      );
      return true;
    });
  });
});
