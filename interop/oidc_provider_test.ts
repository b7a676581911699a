// The relying party against panva's oidc-provider (OpenID Certified), in
// process on a loopback port, driven through the app's own routes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { MemoryTokenStore, type OAuthEnv, OAuthManager } from "../mod.ts";
import { type Interop, startInterop } from "./_setup.ts";
import type { ProviderBrowser } from "./_browser.ts";

/** A token from GET /token, through the offline login. */
async function tokenOf(op: Interop, browser: ProviderBrowser): Promise<string> {
  const page = await browser.get(`${op.app}/token`);
  assert.equal(page.status, 200, page.text);
  return JSON.parse(page.text).refresh_token;
}

async function status(response: Response | Promise<Response>): Promise<number> {
  const res = await response;
  await res.body?.cancel();
  return res.status;
}

describe("against oidc-provider", () => {
  it("logs in when the provider puts the email in userinfo only (OIDC Core §5.4)", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    const page = await browser.get(`${op.app}/login?next=/me`);
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(JSON.parse(page.text), {
      email: "ann@example.com",
      name: "Name of ann@example.com",
    });
    assert.deepEqual(browser.prompts, ["login", "consent"]);
  });

  it("hands out a token at /token that works as a bearer token, and keeps the cookie small", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    const token = await tokenOf(op, browser);
    const res = await op.bearer(token);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).email, "ann@example.com");
    const session = browser.cookies(op.app).get("easy_oauth_session")!;
    assert.ok(session.length < 1200, `session cookie of ${session.length} bytes`);
  });

  it("keeps a token working across refresh-token rotations (RFC 9700 §4.14)", async () => {
    await using op = await startInterop({ provider: { rotateAlways: true } });
    const token = await tokenOf(op, op.browser("ann@example.com"));
    for (let i = 0; i < 4; i++) {
      op.advance(3700); // past the access token's lifetime: the next use refreshes
      assert.equal(await status(op.bearer(token)), 200, `use ${i}`);
    }
    assert.ok((op.provider.events.get("refresh_token.consumed") ?? 0) >= 3);
    assert.equal(op.provider.events.get("grant.revoked") ?? 0, 0, "no reuse detected");
  });

  it("coalesces concurrent refreshes of one grant into one provider call", async () => {
    await using op = await startInterop({ provider: { rotateAlways: true } });
    const browser = op.browser("ann@example.com");
    const tokens = [await tokenOf(op, browser), await tokenOf(op, browser)];
    op.advance(3700);
    const before = op.provider.events.get("refresh_token.consumed") ?? 0;
    const statuses = await Promise.all(
      [...tokens, ...tokens, ...tokens].map((t) => status(op.bearer(t))),
    );
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
    assert.equal((op.provider.events.get("refresh_token.consumed") ?? 0) - before, 1);
  });

  it("coalesces the refreshes of two processes sharing one token store (a lease in the grant)", async () => {
    const tokenStore = new MemoryTokenStore();
    await using op = await startInterop({ provider: { rotateAlways: true }, tokenStore });
    const token = await tokenOf(op, op.browser("ann@example.com"));
    const replica = new OAuthManager(op.options);
    const other = replica.install(new Hono<OAuthEnv>());
    other.get("/me", replica.requireUser(), (c) => c.json({ email: c.var.email }));
    for (let round = 0; round < 3; round++) {
      op.advance(3700);
      const before = op.provider.events.get("refresh_token.consumed") ?? 0;
      const statuses = await Promise.all([
        status(op.bearer(token)),
        status(other.request("/me", { headers: { Authorization: `Bearer ${token}` } })),
        status(op.bearer(token)),
        status(other.request("/me", { headers: { Authorization: `Bearer ${token}` } })),
      ]);
      assert.deepEqual(statuses, [200, 200, 200, 200], `round ${round}`);
      assert.equal((op.provider.events.get("refresh_token.consumed") ?? 0) - before, 1);
    }
    assert.equal(op.provider.events.get("grant.revoked") ?? 0, 0, "no reuse detected");
  });

  it("gives a working token at /token after a revocation, and the revoked one stays dead", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    const first = await tokenOf(op, browser);
    const revoked = await fetch(`${op.app}/token/revoke`, {
      method: "POST",
      headers: { Authorization: `Bearer ${first}`, "Content-Type": "application/json" },
      body: JSON.stringify({ token: first }),
    });
    assert.equal(revoked.status, 200);
    const second = await tokenOf(op, browser);
    op.advance(3700);
    assert.equal(await status(op.bearer(second)), 200);
    assert.equal(await status(op.bearer(first)), 401);
  });

  it("keeps tokens copied from /token working after logout, which ends the session only", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    // The first comes from the offline login's callback, the second from the session.
    const tokens = [await tokenOf(op, browser), await tokenOf(op, browser)];
    await browser.get(`${op.app}/logout`);
    assert.equal((await browser.get(`${op.app}/me`)).status, 401);
    op.advance(3700);
    for (const token of tokens) assert.equal(await status(op.bearer(token)), 200);
    // Revoking one leaves the other; its last holder gone, the grant is revoked at the provider.
    const revoke = async (token: string) => {
      const res = await fetch(`${op.app}/token/revoke`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
      });
      return (await res.json()).provider_revoked;
    };
    assert.equal(await revoke(tokens[0]), false);
    assert.equal(await status(op.bearer(tokens[1])), 200);
    assert.equal(await revoke(tokens[1]), true);
    assert.equal(op.provider.events.get("grant.revoked"), 1);
  });

  it("revokes at logout a refresh token that no issued token refers to (RFC 7009)", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    assert.equal((await browser.get(`${op.app}/login?offline_token=true&next=/me`)).status, 200);
    const revoked = op.provider.events.get("grant.revoked") ?? 0;
    await browser.get(`${op.app}/logout`);
    assert.equal(op.provider.events.get("grant.revoked"), revoked + 1);
  });

  it("revokes nothing at the provider while another login of the account lives (providers share grants)", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    const token = await tokenOf(op, browser);
    // Two more logins of the same browser: oidc-provider keeps one grant for all three.
    assert.equal((await browser.get(`${op.app}/login?offline_token=true&next=/me`)).status, 200);
    assert.equal((await browser.get(`${op.app}/login?offline_token=true&next=/me`)).status, 200);
    await browser.get(`${op.app}/logout`);
    assert.equal(op.provider.events.get("grant.revoked") ?? 0, 0);
    op.advance(3700);
    assert.equal(await status(op.bearer(token)), 200);
    const res = await fetch(`${op.app}/token/revoke`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
    assert.equal(
      (await res.json()).provider_revoked,
      true,
      "the last live login ends at the provider",
    );
  });

  it("answers 502 provider_misconfigured to a wrong client secret, and logs what to fix", async () => {
    await using op = await startInterop({ clientSecret: "not-the-registered-secret" });
    const page = await op.browser("ann@example.com").get(`${op.app}/login`);
    assert.equal(page.status, 502);
    assert.equal(JSON.parse(page.text).error, "provider_misconfigured");
    assert.ok(op.logs.some((l) => /refused the client credentials/.test(l)), op.logs.join("\n"));
    assert.ok(!op.logs.some((l) => l.includes("not-the-registered-secret")));
  });

  it("answers 502 provider_misconfigured to an issuer mismatch, and logs both issuers", async () => {
    await using op = await startInterop();
    const port = new URL(op.provider.issuer).port;
    await using other = await startInterop({
      serverMetadataUrl: `http://localhost:${port}/.well-known/openid-configuration`,
    });
    const res = await fetch(`${other.app}/login`, { redirect: "manual" });
    assert.equal(res.status, 502);
    assert.equal((await res.json()).error, "provider_misconfigured");
    assert.ok(
      other.logs.some((l) => l.includes(`"http://127.0.0.1:${port}"`) && l.includes("localhost")),
      other.logs.join("\n"),
    );
  });

  it("logs in at once after the provider rotates its signing key", async () => {
    await using op = await startInterop();
    assert.equal((await op.browser("ann@example.com").get(`${op.app}/login?next=/me`)).status, 200);
    await op.provider.rotateKeys();
    const page = await op.browser("bob@example.com").get(`${op.app}/login?next=/me`);
    assert.equal(page.status, 200, page.text);
  });

  it("answers 400 access_denied when consent is refused", async () => {
    await using op = await startInterop();
    const page = await op.browser("ann@example.com", true).get(`${op.app}/login?next=/me`);
    assert.equal(page.status, 400);
    assert.equal(JSON.parse(page.text).error, "access_denied");
  });

  it("answers 503/502 provider_unavailable while the provider is down, and recovers", async () => {
    await using op = await startInterop();
    const token = await tokenOf(op, op.browser("ann@example.com"));
    op.provider.down = true;
    op.advance(3700);
    const res = await op.bearer(token);
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error, "provider_unavailable");
    assert.ok(op.logs.some((l) => /identity provider failed/.test(l)), op.logs.join("\n"));
    op.provider.down = false;
    assert.equal(await status(op.bearer(token)), 200, "the grant survived the outage");

    await using cold = await startInterop();
    cold.provider.down = true;
    const login = await fetch(`${cold.app}/login`, { redirect: "manual" });
    assert.equal(login.status, 503);
    assert.equal((await login.json()).error, "provider_unavailable");
  });

  it("logs out at the provider with providerLogout: the next login asks again", async () => {
    await using op = await startInterop({ providerLogout: true });
    const browser = op.browser("ann@example.com");
    await browser.get(`${op.app}/login?next=/me`);
    const page = await browser.get(`${op.app}/logout`);
    assert.equal(page.text, "home");
    assert.deepEqual(browser.prompts, ["login", "consent", "logout"]);
    assert.equal((await browser.get(`${op.app}/login?next=/me`)).status, 200);
    assert.equal(browser.prompts[3], "login", "the provider asks who is logging in again");
  });

  it("without providerLogout, the provider's session stays: the next login is silent", async () => {
    await using op = await startInterop();
    const browser = op.browser("ann@example.com");
    await browser.get(`${op.app}/login?next=/me`);
    await browser.get(`${op.app}/logout`);
    assert.equal((await browser.get(`${op.app}/login?next=/me`)).status, 200);
    assert.deepEqual(browser.prompts, ["login", "consent"]);
  });
});
