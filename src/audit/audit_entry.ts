/**
 * The audit trail: who changed whose authority, when, from where and how
 * (`AuditEntry`), and where it is kept (`AuditLog`): append-only, queried by
 * account, actor, kind and time range, newest first, in cursor pages.
 *
 * @module
 */

/**
 * What an entry records: capabilities changed (through the routes, the admin
 * page or the CLI, or by a hand edit of the file), a token minted or revoked,
 * every token of an account revoked, a login, a logout, a headless login
 * completed.
 *
 * @example
 * ```ts
 * import type { AuditKind } from "@easy-oauth/hono";
 * const kind: AuditKind = "capabilities_changed";
 * ```
 */
export type AuditKind =
  | "capabilities_changed"
  | "token_minted"
  | "token_revoked"
  | "account_revoked"
  | "login"
  | "logout"
  | "headless_login";

/** Every `AuditKind`, for checking a query. */
export const AUDIT_KINDS: readonly AuditKind[] = [
  "capabilities_changed",
  "token_minted",
  "token_revoked",
  "account_revoked",
  "login",
  "logout",
  "headless_login",
];

/**
 * How the actor proved who they were: a browser session, a user token, a
 * service token, an API token, the `forceUser` mode, the command line, or
 * nobody (a hand edit of the capability file, noticed when it was read).
 *
 * @example
 * ```ts
 * import type { AuditCredential } from "@easy-oauth/hono";
 * const credential: AuditCredential = "session";
 * ```
 */
export type AuditCredential =
  | "session"
  | "user_token"
  | "service_token"
  | "api_token"
  | "forced"
  | "cli"
  | "file";

/**
 * Who did it: an account (`null` for a hand edit of the file), how they
 * proved it, and from where as the app saw it.
 *
 * @example
 * ```ts
 * import type { AuditActor } from "@easy-oauth/hono";
 * const actor: AuditActor = { email: "ann@example.com", credential: "session", address: "10.0.0.7" };
 * ```
 */
export interface AuditActor {
  /** The actor's account, `null` when nobody is known (a hand edit of the file). */
  email: string | null;
  /** How the actor authenticated. */
  credential: AuditCredential;
  /** The client address as the app sees it (see the `clientAddress` option). */
  address?: string;
  /** The client's `User-Agent`, cut to 200 characters. */
  userAgent?: string;
}

/**
 * A token described by an entry: never the token itself, only its id, kind,
 * name (API tokens), capabilities and expiry.
 *
 * @example
 * ```ts
 * import type { AuditToken } from "@easy-oauth/hono";
 * const token: AuditToken = { kind: "api", id: "k3J…", name: "ci", capabilities: ["write"], expiresAt: 1767225600 };
 * ```
 */
export interface AuditToken {
  /** A user token (`/token`), a service token (`/token?user=`) or an API token (`/token/api`). */
  kind: "user" | "service" | "api";
  /** Its id (`jti`). */
  id: string;
  /** An API token's name. */
  name?: string;
  /** The capabilities it carries (a service or API token's snapshot). */
  capabilities?: string[];
  /** When it expires (seconds since the epoch). */
  expiresAt?: number;
  /** When it was made (seconds since the epoch). */
  issuedAt?: number;
}

/**
 * What is appended: the log adds `seq`.
 *
 * @example
 * ```ts
 * import type { AuditRecord } from "@easy-oauth/hono";
 * const record: AuditRecord = {
 *   at: Date.now(), kind: "capabilities_changed", account: "bob@example.com",
 *   actor: { email: "ann@example.com", credential: "session" }, via: "api",
 *   before: ["read"], after: ["read", "write"],
 * };
 * ```
 */
export interface AuditRecord {
  /** When (epoch milliseconds). */
  at: number;
  /** What happened. */
  kind: AuditKind;
  /** The account whose authority changed (`api:<name>` for an API token's name). */
  account: string;
  /** Who did it, how they proved it, from where. */
  actor: AuditActor;
  /** Through what: the JSON routes, the admin page, the CLI, the file itself, or a login. */
  via: "api" | "page" | "cli" | "file" | "login";
  /** The stored capabilities before the change (`capabilities_changed`). */
  before?: string[];
  /** The stored capabilities after it (`capabilities_changed`). */
  after?: string[];
  /** The token minted or revoked (`token_minted`, `token_revoked`, `headless_login`). */
  token?: AuditToken;
}

/**
 * One entry of the trail, as read back.
 *
 * @example
 * ```ts
 * import type { AuditEntry } from "@easy-oauth/hono";
 * function describe(entry: AuditEntry): string {
 *   return `#${entry.seq} ${entry.actor.email ?? "the file"} ${entry.kind} ${entry.account}`;
 * }
 * ```
 */
export interface AuditEntry extends AuditRecord {
  /** The log's own increasing number for the entry (entries appended later have larger ones). */
  seq: number;
}

/**
 * A query of the trail: every field narrows it; entries come newest first.
 *
 * @example
 * ```ts
 * import type { AuditQuery } from "@easy-oauth/hono";
 * const query: AuditQuery = { account: "bob@example.com", since: Date.now() - 86_400_000, limit: 50 };
 * ```
 */
export interface AuditQuery {
  /** Entries about this account. */
  account?: string;
  /** Entries made by this actor. */
  actor?: string;
  /** Entries of these kinds. */
  kinds?: readonly AuditKind[];
  /** At or after this time (epoch ms). */
  since?: number;
  /** Before this time (epoch ms). */
  until?: number;
  /**
   * How many entries at most.
   * @default {50}
   */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string | undefined;
}

/**
 * One page of a query's answer.
 *
 * @example
 * ```ts
 * import type { AuditPage } from "@easy-oauth/hono";
 * const empty: AuditPage = { entries: [] };
 * ```
 */
export interface AuditPage {
  /** The entries, newest first. */
  entries: AuditEntry[];
  /** The cursor of the next page, absent on the last one. */
  next?: string;
}

/**
 * Where the audit trail is kept: appended to, never changed; entries older
 * than the retention are dropped. Queries answer newest first: by time, then
 * by `seq` (entries of several processes may reach a shared log slightly out
 * of time order).
 *
 * @example
 * ```ts
 * import { MemoryAuditLog, type AuditLog } from "@easy-oauth/hono";
 * const log: AuditLog = new MemoryAuditLog();
 * const page = await log.query({ account: "bob@example.com" });
 * ```
 */
export interface AuditLog {
  /** Appends one entry; returns it with its `seq`. */
  append(record: AuditRecord): Promise<AuditEntry>;
  /**
   * The entries that match, newest first, `limit` at a time.
   * @throws {TypeError} On a bad query (a cursor from elsewhere, a limit out of range).
   */
  query(query: AuditQuery): Promise<AuditPage>;
}

/** A year: how long entries are kept by default (the longest a token lives). */
export const DEFAULT_RETENTION = 365 * 24 * 3600 * 1000;
/** Checks the options shared by the built-in logs. */
export function checkLogOptions(options: AuditLogOptions): Required<AuditLogOptions> {
  const { retention = DEFAULT_RETENTION, clock = Date.now } = options;
  if (typeof retention !== "number" || !(retention > 0)) {
    throw new TypeError('"retention" must be a number of milliseconds, more than 0');
  }
  if (typeof clock !== "function") throw new TypeError('"clock" must be a function');
  return { retention, clock };
}

/**
 * Options of the built-in audit logs.
 *
 * @example
 * ```ts
 * import { MemoryAuditLog, type AuditLogOptions } from "@easy-oauth/hono";
 * const options: AuditLogOptions = { retention: 90 * 24 * 3600 * 1000 };
 * const log = new MemoryAuditLog(options);
 * ```
 */
export interface AuditLogOptions {
  /**
   * Milliseconds an entry is kept.
   * @default {365 days}
   */
  retention?: number;
  /**
   * The time in epoch milliseconds, for the retention.
   * @default {Date.now}
   */
  clock?: () => number;
}

/**
 * The trail as JSON Lines, one entry per line, for a SIEM.
 *
 * @example
 * ```ts
 * import { MemoryAuditLog, toJsonLines } from "@easy-oauth/hono";
 * const page = await new MemoryAuditLog().query({});
 * const text = toJsonLines(page.entries); // "" for no entry
 * ```
 */
export function toJsonLines(entries: Iterable<AuditEntry>): string {
  let out = "";
  for (const entry of entries) out += JSON.stringify(entry) + "\n";
  return out;
}
