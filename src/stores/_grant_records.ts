// The rules every TokenStore applies to grant records, in one place: what a
// valid record is, when one has expired, and the compare-and-set decision;
// and the record itself.

/**
 * One login's (grant's) state at the provider, kept on the server: issued
 * user tokens refer to it by `id`, so that the provider's newest refresh token
 * lives in one place (RFC 9700 §4.14: providers rotate them).
 *
 * @example
 * ```ts
 * import type { GrantRecord } from "@easy-oauth/hono";
 * const record: GrantRecord = {
 *   id: "k3J…", email: "ann@example.com", version: 1, expires_at: 1798761600,
 *   data: { sealed: "eyJ…", tokens: [] },
 * };
 * ```
 */
export interface GrantRecord {
  /** A random id that issued tokens refer to. */
  id: string;
  /** The account, for "revoke everything of this account". */
  email: string;
  /** 1 on creation, +1 on each write. */
  version: number;
  /** Seconds since the epoch; stores drop expired records (they read as absent). */
  expires_at: number;
  /** Opaque JSON for the manager (the sealed refresh token, sub, iss, a dead flag, …). */
  data: Record<string, unknown>;
}

/** Ids are short printable strings (random ids, or `legacy-<jti>`). */
const GRANT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** A deep, frozen-free copy of a JSON-safe record, so that callers never share state with a store. */
export function copyGrant(record: GrantRecord): GrantRecord {
  return JSON.parse(JSON.stringify(record)) as GrantRecord;
}

/**
 * Checks the shape of a record given to `putGrant`.
 * @throws {TypeError} Naming the first bad field.
 */
export function checkGrant(record: GrantRecord): void {
  if (record === null || typeof record !== "object") {
    throw new TypeError('"record" must be an object');
  }
  if (typeof record.id !== "string" || !GRANT_ID.test(record.id)) {
    throw new TypeError('"record.id" must be 1 to 128 letters, digits, ".", "_" or "-"');
  }
  if (typeof record.email !== "string" || record.email === "") {
    throw new TypeError('"record.email" must be a non-empty string');
  }
  if (!Number.isSafeInteger(record.version) || record.version < 1) {
    throw new TypeError('"record.version" must be a whole number, 1 or more');
  }
  if (typeof record.expires_at !== "number" || !Number.isFinite(record.expires_at)) {
    throw new TypeError('"record.expires_at" must be a number of seconds since the epoch');
  }
  const data = record.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new TypeError('"record.data" must be a JSON object');
  }
}

/** Whether the record is past its `expires_at` (`now` in epoch ms). */
export function expired(record: GrantRecord, now: number): boolean {
  return record.expires_at * 1000 <= now;
}

/**
 * The compare-and-set rule: `record` replaces `stored` only when the stored
 * version (0 when there is none, or it expired) is `expectedVersion` and
 * `record.version` is `expectedVersion + 1`.
 */
export function mayPut(
  stored: GrantRecord | undefined,
  record: GrantRecord,
  expectedVersion: number,
  now: number,
): boolean {
  const current = stored === undefined || expired(stored, now) ? 0 : stored.version;
  return current === expectedVersion && record.version === expectedVersion + 1;
}
