import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SqliteAuditLog } from "./sqlite_audit_log.ts";
import { auditLogConformance } from "./_audit_log_conformance.ts";

auditLogConformance("SqliteAuditLog", (clock, retention) => {
  const log = new SqliteAuditLog(":memory:", { clock, retention });
  return Promise.resolve({ log, close: () => Promise.resolve(log.close()) });
});

describe("SqliteAuditLog", () => {
  it("shares the trail between two logs opened on the same file, and refuses updates", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-"));
    const file = join(dir, "trail.sqlite");
    const writer = new SqliteAuditLog(file);
    const reader = new SqliteAuditLog(new URL(`file://${file}`));
    try {
      await writer.append({
        at: Date.now(),
        kind: "account_revoked",
        account: "bob@example.com",
        via: "api",
        actor: { email: "ann@example.com", credential: "session" },
      });
      const { entries } = await reader.query({ account: "bob@example.com" });
      assert.equal((await stat(file)).mode & 0o777, 0o600, "readable by the app's user only");
      assert.equal(entries.length, 1);
      assert.equal(entries[0].actor.email, "ann@example.com");
      const db = new DatabaseSync(file);
      try {
        assert.throws(
          () => db.exec("UPDATE easy_oauth_audit SET account = 'mallory@example.com'"),
          /append-only/,
        );
      } finally {
        db.close();
      }
    } finally {
      writer.close();
      reader.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("makes an existing trail file readable by the app's user only, its -wal and -shm too", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-"));
    const file = join(dir, "trail.sqlite");
    const log = new SqliteAuditLog(file);
    try {
      await writeFile(file, new Uint8Array());
      await chmod(file, 0o644);
      await log.append({
        at: Date.now(),
        kind: "account_revoked",
        account: "bob@example.com",
        via: "api",
        actor: { email: "ann@example.com", credential: "session" },
      });
      for (const name of ["trail.sqlite", "trail.sqlite-wal", "trail.sqlite-shm"]) {
        assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, name);
      }
    } finally {
      log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad path or option with a TypeError naming it", () => {
    assert.throws(() => new SqliteAuditLog(""), /"path"/);
    assert.throws(() => new SqliteAuditLog(new URL("https://example.com/x")), /"path"/);
    assert.throws(() => new SqliteAuditLog(":memory:", { retention: -1 }), /"retention"/);
  });
});
