import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Revocations } from "./revocations.ts";
import { FileTokenStore } from "../stores/token_store.ts";
import { TestClock } from "../../testing/_fixtures.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-revocations-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("Revocations in a FileTokenStore", () => {
  it("keeps the file compact and drops each entry once what it revokes has expired", async () => {
    await withDir(async (dir) => {
      const file = join(dir, "caps.tokens.json");
      const clock = new TestClock();
      const revocations = new Revocations(new FileTokenStore(file), clock.read);
      const now = Math.floor(clock.now / 1000);
      await revocations.addApiToken({
        id: "t1",
        name: "ci",
        capabilities: ["read"],
        expires_at: now + 100,
        created_by: "root@example.com",
        created_at: now,
      });
      await revocations.revokeAccount("api:ci");
      await revocations.revokeId("session-1", clock.now + 50_000);
      const text = await readFile(file, "utf8");
      assert.ok(!text.includes("\n "), "no indentation");
      assert.match(text, /api:ci/);
      assert.ok(revocations.isRevoked({ email: "api:ci", tokenId: "t1", issuedAt: now }));
      clock.advance(200);
      await revocations.revokeId("session-2", clock.now + 50_000);
      const later = JSON.parse(await readFile(file, "utf8"));
      assert.deepEqual(later.revoked_accounts, {});
      assert.deepEqual(Object.keys(later.revoked_ids), ["session-2"]);
      assert.deepEqual(later.api_tokens, {});
    });
  });

  it("removes temporary files that a killed write left behind, and only those", async () => {
    await withDir(async (dir) => {
      const file = join(dir, "caps.tokens.json");
      const stale = join(dir, ".caps.tokens.json.0123456789ab.tmp");
      const fresh = join(dir, ".caps.tokens.json.aaaaaaaaaaaa.tmp");
      const other = join(dir, ".other.json.0123456789ab.tmp");
      for (const path of [stale, fresh, other]) await writeFile(path, "{");
      const hourAgo = new Date(Date.now() - 3600_000);
      for (const path of [stale, other]) await utimes(path, hourAgo, hourAgo);
      await new FileTokenStore(file).load();
      assert.deepEqual((await readdir(dir)).sort(), [
        ".caps.tokens.json.aaaaaaaaaaaa.tmp",
        ".other.json.0123456789ab.tmp",
      ]);
    });
  });
});
