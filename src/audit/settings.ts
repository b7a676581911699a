// The manager's audit options, checked once (a TypeError naming the option),
// with their defaults: the trail beside the capability file, else in memory.
import type { Context } from "hono";
import type { AuditLog } from "./audit_entry.ts";
import { MemoryAuditLog } from "./memory_audit_log.ts";
import { SqliteAuditLog } from "./sqlite_audit_log.ts";
import { defaultClientAddress } from "./recorder.ts";
import { FileCapabilityStore } from "../stores/file_store.ts";
import type { CapabilityStore } from "../stores/capability_store.ts";

/** The audit options after validation, with defaults applied. */
export interface AuditSettings {
  log: AuditLog;
  logins: boolean;
  clientAddress: (c: Context) => string | undefined;
}

/** What the manager's options say of the audit trail. */
export interface AuditOptionFields {
  audit?: AuditLog;
  auditLogins?: boolean;
  clientAddress?: (c: Context) => string | undefined;
}

/** Checks the audit options; throws a TypeError naming the first bad one. */
export function auditSettings(
  options: AuditOptionFields,
  store: CapabilityStore,
  clock: () => number,
): AuditSettings {
  const { audit, auditLogins = false, clientAddress = defaultClientAddress } = options;
  if (
    audit !== undefined &&
    (audit === null || typeof audit !== "object" || typeof audit.append !== "function" ||
      typeof audit.query !== "function")
  ) {
    throw new TypeError('"audit" must be an AuditLog (append, query)');
  }
  if (typeof auditLogins !== "boolean") throw new TypeError('"auditLogins" must be a boolean');
  if (typeof clientAddress !== "function") {
    throw new TypeError('"clientAddress" must be a function');
  }
  return { log: audit ?? defaultLog(store, clock), logins: auditLogins, clientAddress };
}

/** The trail beside the capability file (`caps.yaml` → `caps.audit.sqlite`), else in memory. */
export function defaultLog(store: CapabilityStore, clock: () => number): AuditLog {
  if (!(store instanceof FileCapabilityStore)) return new MemoryAuditLog({ clock });
  return new SqliteAuditLog(auditFileOf(store.file), { clock });
}

/** Where the default trail of a capability file is. */
export function auditFileOf(capsFile: string): string {
  return capsFile.replace(/(\.ya?ml)?$/i, ".audit.sqlite");
}
