// The manager's audit options, checked once (a TypeError naming the option),
// with their defaults: the trail in a SQLite file beside the SQLite token
// store's, else in memory.
import type { Context } from "hono";
import type { AuditLog } from "./audit_entry.ts";
import { MemoryAuditLog } from "./memory_audit_log.ts";
import { SqliteAuditLog } from "./sqlite_audit_log.ts";
import { peerAddress } from "../http/client_address.ts";
import { SqliteStore } from "../stores/sqlite_store.ts";
import type { TokenStore } from "../stores/token_store.ts";

/** The audit options after validation, with defaults applied. */
export interface AuditSettings {
  log: AuditLog;
  logins: boolean;
  clientAddress: (c: Context) => string | undefined;
}

/** What the manager's options say of the audit trail. */
export interface AuditOptionFields {
  audit?: AuditLog | undefined;
  auditLogins?: boolean | undefined;
  clientAddress?: ((c: Context) => string | undefined) | undefined;
}

/** Checks the audit options; throws a TypeError naming the first bad one. */
export function auditSettings(
  options: AuditOptionFields,
  store: TokenStore,
  clock: () => number,
): AuditSettings {
  const { audit, auditLogins = false, clientAddress = peerAddress } = options;
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

/**
 * The trail in a file beside a `SqliteStore`'s (`caps.db` → `caps.audit.db`),
 * else in memory. A file of its own: an entry written into the store's file
 * by another connection would look to the store like another process's
 * change, and send every replica to read the store again.
 */
export function defaultLog(store: TokenStore, clock: () => number): AuditLog {
  if (!(store instanceof SqliteStore)) return new MemoryAuditLog({ clock });
  return new SqliteAuditLog(store.file.replace(/(\.db)?$/, ".audit.db"), { clock });
}

/** The trail of a capability file's default store (`caps.yaml` → `caps.audit.db`). */
export function auditFileOf(capsFile: string): string {
  return capsFile.replace(/(\.ya?ml)?$/i, ".audit.db");
}
