import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { createMockProvider } from "./mod.ts";
import { BASE, login, refresh, userinfo } from "./_test_util.ts";

const metadata = (provider: ReturnType<typeof createMockProvider>) =>
  provider.fetch(new Request(`${BASE}/.well-known/openid-configuration`));

async function kids(provider: ReturnType<typeof createMockProvider>): Promise<string[]> {
  const res = await provider.fetch(new Request(`${BASE}/oauth2/certs`));
  return (await res.json()).keys.map((key: { kid: string }) => key.kid);
}

describe("the mock's failure injection", () => {
  it("fails the next request of an endpoint with a 500 server_error, then answers normally", async () => {
    const provider = createMockProvider();
    provider.fail("discovery");
    const failed = await metadata(provider);
    assert.equal(failed.status, 500);
    assert.equal((await failed.json()).error, "server_error");
    assert.equal((await metadata(provider)).status, 200);
  });

  it("answers a status and an OAuth error as many times as told, or until healed", async () => {
    const provider = createMockProvider();
    const offline = { scope: "openid email offline_access" };
    const { refresh_token: token } = await login(provider, offline);
    provider.fail("token", { status: 503, error: "temporarily_unavailable", times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await refresh(provider, token);
      assert.equal(res.status, 503);
      assert.equal(res.body.error, "temporarily_unavailable");
    }
    assert.equal((await refresh(provider, token)).status, 200);
    provider.fail("token", { error: "invalid_grant", times: Infinity });
    for (let i = 0; i < 3; i++) assert.equal((await refresh(provider, token)).status, 400);
    provider.heal("userinfo");
    assert.equal((await refresh(provider, token)).status, 400, "another endpoint healed");
    provider.heal("token");
    assert.equal((await refresh(provider, token)).status, 200);
  });

  it("answers a garbage body as is, with 200 unless told", async () => {
    const provider = createMockProvider();
    provider.fail("jwks", { body: "<html>Bad gateway" });
    const res = await provider.fetch(new Request(`${BASE}/oauth2/certs`));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "<html>Bad gateway");
    provider.fail("jwks", { body: "{", status: 502, headers: { "Content-Type": "text/html" } });
    const html = await provider.fetch(new Request(`${BASE}/oauth2/certs`));
    assert.equal(html.status, 502);
    assert.equal(html.headers.get("content-type"), "text/html");
    const challenge = { "WWW-Authenticate": 'Basic realm="mock"' };
    provider.fail("token", { status: 401, error: "invalid_client", headers: challenge });
    const refused = await provider.fetch(new Request(`${BASE}/oauth2/token`, { method: "POST" }));
    assert.equal(refused.headers.get("www-authenticate"), 'Basic realm="mock"');
    assert.equal((await refused.json()).error, "invalid_client");
  });

  it("delays an answer, then answers normally when only delayMs is given", async () => {
    const provider = createMockProvider();
    provider.fail("discovery", { delayMs: 150 });
    const started = performance.now();
    const res = await metadata(provider);
    assert.ok(performance.now() - started >= 140);
    assert.equal(res.status, 200);
  });

  it("takes the whole provider down and up", async () => {
    const provider = createMockProvider();
    provider.down();
    const res = await metadata(provider);
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error, "temporarily_unavailable");
    assert.equal((await provider.fetch(new Request(`${BASE}/health`))).status, 503);
    provider.up();
    assert.equal((await metadata(provider)).status, 200);
  });

  it("refuses unknown endpoints and bad faults with a TypeError naming them", () => {
    const provider = createMockProvider();
    // @ts-expect-error: not an endpoint
    assert.throws(() => provider.fail("tokens"), /"endpoint" must be one of/);
    assert.throws(() => provider.fail("token", { times: 0 }), /"times"/);
    assert.throws(() => provider.fail("token", { status: 99 }), /"status"/);
    assert.throws(() => provider.fail("token", { delayMs: -1 }), /"delayMs"/);
  });
});

describe("the mock's quirks and claims", () => {
  it("rotates its signing key, keeping the old one in the JWKS only when told", async () => {
    const provider = createMockProvider();
    const first = decodeProtectedHeader((await login(provider)).id_token).kid!;
    await provider.rotateKeys({ keepOld: true });
    const second = decodeProtectedHeader((await login(provider)).id_token).kid!;
    assert.notEqual(second, first);
    assert.deepEqual(await kids(provider), [second, first]);
    await provider.rotateKeys();
    const third = decodeProtectedHeader((await login(provider)).id_token).kid!;
    assert.deepEqual(await kids(provider), [third]);
  });

  it("rotates refresh tokens when told: a new one each time, the old one refused", async () => {
    const provider = createMockProvider();
    const { refresh_token: first } = await login(provider, { scope: "openid offline_access" });
    assert.equal((await refresh(provider, first)).body.refresh_token, undefined, "Google's way");
    provider.setQuirks({ rotateRefreshTokens: true });
    const rotated = await refresh(provider, first);
    const second = rotated.body.refresh_token;
    assert.ok(typeof second === "string" && second !== first);
    assert.equal((await refresh(provider, first)).body.error, "invalid_grant");
    assert.equal((await refresh(provider, second)).status, 200);
  });

  it("puts the email only in userinfo when told", async () => {
    const provider = createMockProvider({ email: "ada@example.com" });
    provider.setQuirks({ emailInUserinfoOnly: true });
    const tokens = await login(provider);
    const claims = decodeJwt(tokens.id_token);
    assert.equal(claims.email, undefined);
    assert.equal(claims.email_verified, undefined);
    const info = await userinfo(provider, tokens.access_token);
    assert.equal(info.body.email, "ada@example.com");
    assert.equal(info.body.email_verified, true);
  });

  it("gives each user their own name, email_verified and extra claims, never the protocol's", async () => {
    const provider = createMockProvider({ email: "ada@example.com" });
    provider.setUser("Ada@example.com", {
      name: "Ada Lovelace",
      email_verified: false,
      claims: { groups: ["admins"], iss: "https://evil.test", exp: 1 },
    });
    const tokens = await login(provider);
    const claims = decodeJwt(tokens.id_token);
    assert.equal(claims.name, "Ada Lovelace");
    assert.equal(claims.email_verified, false);
    assert.deepEqual(claims.groups, ["admins"]);
    assert.equal(claims.iss, BASE);
    assert.ok(claims.exp! > 1);
    const info = await userinfo(provider, tokens.access_token);
    assert.equal(info.body.name, "Ada Lovelace");
    assert.deepEqual(info.body.groups, ["admins"]);
    provider.setEmail("bob@example.com");
    assert.equal(
      decodeJwt((await login(provider)).id_token).email_verified,
      true,
      "others unchanged",
    );
  });

  it("refuses unknown quirks, non-boolean quirks and bad emails", () => {
    const provider = createMockProvider();
    // @ts-expect-error: not a quirk
    assert.throws(() => provider.setQuirks({ rotate: true }), /Unknown quirk "rotate"/);
    // @ts-expect-error: not a boolean
    assert.throws(() => provider.setQuirks({ rotateRefreshTokens: 1 }), /true or false/);
    assert.throws(() => provider.setUser("nobody", {}), /"email"/);
  });
});
