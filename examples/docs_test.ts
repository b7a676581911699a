// docs/admin.md's example works as the page says (that the page shows it
// exactly is checked with every page's snippets in readme_test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { AppTester, OAuthMock } from "../testing/mod.ts";

describe("docs/admin.md", () => {
  it("admin_audit.ts records the proxy's client address in the trail, and logins", async () => {
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-docs-"));
    await using mock = await OAuthMock.start({ port: 0 });
    Object.assign(process.env, {
      SERVER_METADATA_URL: mock.metadataUrl,
      SECRET_KEY: "tNNZ32FkSvhRsq-IRlWeq4iqLTPkrqVTvMCzexdHgbE",
      CLIENT_ID: "docs-app",
      CLIENT_SECRET: "docs-secret",
      OAUTH_DB: join(dir, "oauth.db"),
    });
    try {
      const { default: app } = await import("./docs/admin_audit.ts");
      await using tester = await AppTester.start(app, mock);
      const boss = await tester.client("boss@example.com");
      await boss.post(
        "/manage_capabilities/add",
        { email: "ann@example.com", capability: "write" },
        {
          headers: { "x-real-ip": "198.51.100.23" },
        },
      );
      const history = (await boss.get("/manage_capabilities/history")).json<
        { entries: { kind: string; actor: { address?: string } }[] }
      >();
      assert.deepEqual(history.entries.map((e) => e.kind), [
        "capabilities_changed",
        "token_minted",
        "login",
      ]);
      assert.equal(history.entries[0].actor.address, "198.51.100.23");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
