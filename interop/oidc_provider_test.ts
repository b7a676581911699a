// The relying party against panva's oidc-provider (OpenID Certified), in process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startInterop } from "./_setup.ts";

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
});
