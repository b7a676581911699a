// docs/admin.md's snippets are the exact text of files of examples/docs/, and
// those files work as the page says.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { AppTester, OAuthMock } from "../testing/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("docs/admin.md", () => {
  it("shows each example file exactly, under its <!-- examples/… --> comment", async () => {
    const lines = (await readFile(join(ROOT, "docs", "admin.md"), "utf8")).split("\n");
    let checked = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|yaml)$/.test(lines[i])) continue;
      const end = lines.indexOf("```", i + 1);
      let before = i - 1;
      while (before >= 0 && lines[before].trim() === "") before--;
      const file = /^<!-- (examples\/\S+) -->$/.exec(lines[before] ?? "")?.[1];
      assert.ok(file, `a block of docs/admin.md has no <!-- examples/… --> comment above it`);
      const code = lines.slice(i + 1, end).join("\n") + "\n";
      assert.equal(
        code,
        await readFile(join(ROOT, file), "utf8"),
        `docs/admin.md differs from ${file}`,
      );
      checked++;
      i = end;
    }
    assert.ok(checked >= 1);
  });

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
