import { describe, it } from "node:test";
import assert from "node:assert/strict";
import postgres from "postgres";
import { auditLogConformance } from "../src/audit/_audit_log_conformance.ts";
import { PostgresAuditLog } from "./mod.ts";
import { DATABASE_URL, dropSchema, freshSchema, skip } from "./_test_db.ts";

auditLogConformance("PostgresAuditLog", async (clock, retention) => {
  const schema = freshSchema();
  const log = await PostgresAuditLog.connect(DATABASE_URL!, { schema, clock, retention });
  return {
    log,
    close: async () => {
      await log.close();
      await dropSchema(schema);
    },
  };
}, skip);

describe("PostgresAuditLog", { skip }, () => {
  it("refuses updates of the trail, and shares it between replicas", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([
      PostgresAuditLog.connect(DATABASE_URL!, { schema }),
      PostgresAuditLog.connect(DATABASE_URL!, { schema }),
    ]);
    const sql = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await a.append({
        at: Date.now(),
        kind: "account_revoked",
        account: "bob@example.com",
        actor: { email: "ann@example.com", credential: "session" },
        via: "api",
      });
      assert.equal((await b.query({ actor: "ann@example.com" })).entries.length, 1);
      await assert.rejects(
        sql.unsafe(`update "${schema}".audit set account = 'mallory@example.com'`),
        /append-only/,
      );
    } finally {
      await Promise.all([a.close(), b.close(), sql.end({ timeout: 1 })]);
      await dropSchema(schema);
    }
  });

  it("refuses a bad URL or schema with a TypeError naming it", async () => {
    await assert.rejects(PostgresAuditLog.connect("mysql://x"), /"url"/);
    await assert.rejects(
      PostgresAuditLog.connect(DATABASE_URL!, { schema: "Bad-Name" }),
      /"schema"/,
    );
  });
});
