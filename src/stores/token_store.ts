/**
 * The storage interface of revocations, API tokens, grant records and
 * single-use login states: state as rows, and a log of changes with
 * increasing revisions that every replica reads to catch up.
 *
 * @module
 */
import type { TokenParent } from "../env.ts";
import type { GrantRecord } from "./_grant_records.ts";

export type { GrantRecord };

/**
 * An API token as listed by `GET /token/api` (never the token itself).
 *
 * @example
 * ```ts
 * import type { ApiTokenRecord } from "@easy-oauth/hono";
 * const record: ApiTokenRecord = {
 *   id: "k3J…", name: "ci-deploy", capabilities: ["write"], expires_at: 1767225600,
 *   created_by: "admin@example.com", created_at: 1767139200,
 * };
 * ```
 */
export interface ApiTokenRecord {
  /** The token's id (its `jti`). */
  id: string;
  /** The label given when it was made. */
  name: string;
  /** The capabilities it was limited to, as asked. */
  capabilities: string[];
  /** When it expires (seconds since the epoch). */
  expires_at: number;
  /** Who made it. */
  created_by: string;
  /** When it was made (seconds since the epoch). */
  created_at: number;
  /** The tokens that made it, when a token did (it is revoked with any of them). */
  parents?: TokenParent[] | undefined;
}

/**
 * One change of the revocation state, as the log holds it and as a replica
 * applies it to its view. `until` (epoch ms) is when the row is dropped:
 * past it, the entry no longer matters.
 *
 * @example
 * ```ts
 * import type { TokenChange } from "@easy-oauth/hono";
 * const change: TokenChange = { kind: "revoke_id", id: "k3J…", until: 1767225600000 };
 * ```
 */
export type TokenChange =
  /**
   * A token or session id is revoked until `until` (when it would have
   * expired anyway). An id `grant:<grant id>` is a mark instead: the user
   * tokens of that grant changed (one was revoked), and a replica reads the
   * grant record again before it accepts one it had cached.
   */
  | { kind: "revoke_id"; id: string; until: number }
  /** Everything issued to `email` at or before `before` (seconds) is revoked, until `until`. */
  | { kind: "revoke_account"; email: string; before: number; until: number }
  /** An API token was issued (its record is kept until it expires). */
  | { kind: "api_token"; record: ApiTokenRecord; until: number }
  /** An API token's record was removed (revoked). */
  | { kind: "remove_api_token"; id: string };

/**
 * What `TokenStore.changesSince` answers: the entries after a revision, or,
 * when that revision is older than the log keeps (or none was given), the
 * whole current state as entries with `reset: true` (drop the view first).
 *
 * @example
 * ```ts
 * import type { TokenChanges } from "@easy-oauth/hono";
 * const nothingNew: TokenChanges = { revision: 42, reset: false, changes: [] };
 * ```
 */
export interface TokenChanges {
  /** The revision the reader is at after applying `changes`. */
  revision: number;
  /** Whether `changes` is the whole state (replace the view) rather than what followed. */
  reset: boolean;
  /** In revision order. */
  changes: TokenChange[];
}

/**
 * The storage of revocations, API tokens, grant records and used login
 * states, shared by every replica that uses the same store. Each write is
 * one operation on a few rows, and each change of the revocation state
 * (ids, accounts, API tokens) also appends an entry to a log with a
 * monotonically increasing revision: a replica keeps a view in memory and
 * catches up with `changesSince(itsRevision)`, which costs what changed.
 * Old entries are pruned after a retention window; a replica that fell
 * further behind gets the whole state once (`reset`). Expired rows are
 * dropped by the store (indexed deletes, a bounded number per write).
 *
 * `putGrant` is a compare-and-set on one record; an expired record reads as
 * absent everywhere (version 0 for `putGrant`). Stores hand out copies:
 * changing a returned record changes nothing stored.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, type TokenStore } from "@easy-oauth/hono";
 * const store: TokenStore = new MemoryTokenStore();
 * await store.revokeId("abc", Date.now() + 60_000);
 * const { revision, changes } = await store.changesSince();
 * ```
 */
export interface TokenStore {
  /**
   * Revokes a token or session id until `until` (epoch ms); a later call for
   * the same id keeps the later time, and every call appends its change to
   * the log (a grant's mark, `grant:<id>`, is written again at each change).
   */
  revokeId(id: string, until: number): Promise<void>;
  /**
   * Revokes what was issued to `email` at or before `before` (seconds since
   * the epoch), remembered until `until` (epoch ms); the later of two calls wins.
   */
  revokeAccount(email: string, before: number, until: number): Promise<void>;
  /** Records an issued API token, kept until it expires. */
  addApiToken(record: ApiTokenRecord): Promise<void>;
  /** Removes an API token's record (no-op when absent). */
  removeApiToken(id: string): Promise<void>;
  /**
   * The log entries after `revision`, or the whole state (`reset: true`) when
   * `revision` is omitted or older than the oldest entry kept.
   */
  changesSince(revision?: number): Promise<TokenChanges>;
  /**
   * A number that changes whenever the store may hold entries this process
   * has not read (its own writes, another process's commit, a notification):
   * read on every request, so it must be cheap (no I/O beyond a local check).
   * It may stay unchanged until the store was first read.
   * A hint only: the entries themselves always come from `changesSince`.
   */
  readonly hint: number;
  /**
   * Records `key` as used until `until` (epoch ms): true the first time,
   * false while the record lasts, for every replica sharing the store (how
   * a login state is made single-use on the server).
   */
  useOnce(key: string, until: number): Promise<boolean>;
  /** The unexpired record `id`, or `undefined`. */
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** Every unexpired record of `email`, in no particular order. */
  grantsOf(email: string): Promise<GrantRecord[]>;
  /**
   * Writes `record` if the stored version equals `expectedVersion` (0 = must
   * not exist, or has expired); `record.version` must be `expectedVersion + 1`.
   * Returns false (writes nothing) otherwise.
   *
   * @throws {TypeError} When `record` is malformed (see `GrantRecord`).
   */
  putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean>;
}

/** The operations a `TokenStore` must have (checked by `OAuthManager`'s `tokenStore` option). */
export const TOKEN_STORE_METHODS: readonly string[] = [
  "revokeId",
  "revokeAccount",
  "addApiToken",
  "removeApiToken",
  "changesSince",
  "useOnce",
  "getGrant",
  "grantsOf",
  "putGrant",
];

/**
 * Options of the built-in token stores.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, type TokenStoreOptions } from "@easy-oauth/hono";
 * const options: TokenStoreOptions = { clock: () => Date.now(), logRetention: 3_600_000 };
 * const store = new MemoryTokenStore(options);
 * ```
 */
export interface TokenStoreOptions {
  /**
   * The time in epoch milliseconds, for expiry and the log's retention.
   * @default {Date.now}
   */
  clock?: () => number;
  /**
   * Milliseconds a log entry is kept: a replica that has not caught up for
   * longer reloads the whole state once.
   * @default {86_400_000 (a day)}
   */
  logRetention?: number;
}

/** The longest any token lives (seconds): account revocations are kept that long. */
export const MAX_TOKEN_LIFETIME = 365 * 24 * 3600;

/** The default of `TokenStoreOptions.logRetention`. */
export const LOG_RETENTION = 86_400_000;

/** Checks the options shared by the built-in stores, naming the bad one. */
export function storeOptions(
  options: TokenStoreOptions,
): { clock: () => number; logRetention: number } {
  const { clock = Date.now, logRetention = LOG_RETENTION } = options;
  if (typeof clock !== "function") throw new TypeError('"clock" must be a function');
  if (typeof logRetention !== "number" || !(logRetention > 0)) {
    throw new TypeError('"logRetention" must be a positive number of milliseconds');
  }
  return { clock, logRetention };
}

/** The row key of a change (what a later change of the same row replaces). */
export function changeKey(change: TokenChange): string {
  switch (change.kind) {
    case "revoke_id":
      return `i:${change.id}`;
    case "revoke_account":
      return `a:${change.email}`;
    case "api_token":
      return `t:${change.record.id}`;
    case "remove_api_token":
      return `t:${change.id}`;
  }
}
