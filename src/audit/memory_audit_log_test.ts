import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryAuditLog } from "./memory_audit_log.ts";
import { auditLogConformance } from "./_audit_log_conformance.ts";

auditLogConformance(
  "MemoryAuditLog",
  (clock, retention) => Promise.resolve({ log: new MemoryAuditLog({ clock, retention }) }),
);

describe("MemoryAuditLog options", () => {
  it("refuses a bad retention or clock with a TypeError naming it", () => {
    assert.throws(() => new MemoryAuditLog({ retention: 0 }), /"retention"/);
    assert.throws(
      () => new MemoryAuditLog({ clock: 5 as unknown as () => number }),
      /"clock"/,
    );
  });
});
