// OpenID Connect Back-Channel Logout 1.0 against oidc-provider, which
// implements it: the person logs out at the provider, the provider posts a
// logout token to the app, and the app's sessions end on every replica.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, SqliteStore } from "../mod.ts";
import { startInterop } from "./_setup.ts";

describe("back-channel logout from oidc-provider", () => {
  it("ends the app's session on every replica when the person logs out at the provider", async () => {
    const dir = await mkdtemp(join(tmpdir(), "interop-bcl-"));
    const file = join(dir, "caps.db");
    try {
      // Two replicas, each with its own connection to one token database.
      using first = new SqliteStore(file, { checkInterval: 0 });
      using second = new SqliteStore(file, { checkInterval: 0 });
      await using op = await startInterop({
        tokenStore: first,
        provider: { backchannelLogout: { prefix: "" } },
      });
      const browser = op.browser("ann@example.com");
      assert.equal((await browser.get(`${op.app}/login?next=/me`)).status, 200);
      const replica = new OAuthManager({
        ...op.options,
        tokenStore: second,
      });
      const other = replica.install(new Hono<OAuthEnv>());
      other.get("/me", replica.requireUser(), (c) => c.json({ email: c.var.email }));
      const cookie = [...browser.cookies(op.app)].map(([k, v]) => `${k}=${v}`).join("; ");
      const atReplica = () => other.request("/me", { headers: { cookie } });
      assert.equal((await atReplica()).status, 200);

      // The person logs out at the provider itself (from another app, say).
      await browser.get(`${op.provider.issuer}/session/end`);
      assert.deepEqual(browser.prompts, ["login", "consent", "logout"]);
      assert.equal(op.provider.events.get("backchannel.error") ?? 0, 0, op.logs.join("\n"));
      assert.equal(op.provider.events.get("backchannel.success"), 1);

      assert.equal((await browser.get(`${op.app}/me`)).status, 401);
      assert.equal((await atReplica()).status, 401);
      assert.ok(
        op.logs.some((l) => /ended a session \(back-channel logout\)/.test(l)),
        op.logs.join("\n"),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
