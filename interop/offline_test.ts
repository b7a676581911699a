// Which grants mint long-lived tokens, against oidc-provider set up as
// Keycloak issues refresh tokens: to every login, bound to the provider's
// session unless the login asked for offline access.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startInterop } from "./_setup.ts";

describe("against oidc-provider issuing refresh tokens to every login (as Keycloak does)", () => {
  it("sends /token through the offline login when the session's login was not offline", async () => {
    await using op = await startInterop({ provider: { refreshWithoutOffline: true } });
    const browser = op.browser("ann@example.com");
    assert.equal((await browser.get(`${op.app}/login?next=/me`)).status, 200);
    assert.deepEqual(browser.prompts, ["login", "consent"]);
    const page = await browser.get(`${op.app}/token`);
    assert.equal(page.status, 200, page.text);
    // The offline login's prompt=consent: the provider was asked again.
    assert.deepEqual(browser.prompts, ["login", "consent", "consent"]);
    const res = await op.bearer(JSON.parse(page.text).refresh_token);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  it("mints at /token from the session of an offline login without asking the provider again", async () => {
    await using op = await startInterop({ provider: { refreshWithoutOffline: true } });
    const browser = op.browser("ann@example.com");
    const first = await browser.get(`${op.app}/token`);
    assert.equal(first.status, 200, first.text);
    const second = await browser.get(`${op.app}/token`);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(browser.prompts, ["login", "consent"]);
    assert.notEqual(JSON.parse(first.text).refresh_token, JSON.parse(second.text).refresh_token);
  });
});
