/**
 * A token store in memory.
 *
 * @module
 */
import { checkGrant, copyGrant, expired, type GrantRecord, mayPut } from "./_grant_records.ts";
import {
  type ApiTokenRecord,
  storeOptions,
  type TokenChange,
  type TokenChanges,
  type TokenStore,
  type TokenStoreOptions,
} from "./token_store.ts";

/** Milliseconds between two sweeps of expired rows (each sweep visits every row). */
const SWEEP_EVERY = 60_000;

/**
 * A `TokenStore` in memory: revocations last as long as the process, and
 * only this process sees them. The reference for what every store does (it
 * keeps the same log, with the same retention).
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from "@easy-oauth/hono";
 * const store = new MemoryTokenStore();
 * await store.revokeId("k3J…", Date.now() + 60_000);
 * (await store.changesSince()).changes; // [{ kind: "revoke_id", id: "k3J…", until: … }]
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #clock: () => number;
  readonly #retention: number;
  readonly #ids = new Map<string, number>();
  readonly #accounts = new Map<string, { before: number; until: number }>();
  readonly #apiTokens = new Map<string, ApiTokenRecord>();
  readonly #grants = new Map<string, GrantRecord>();
  /** Grant ids by account, so that `grantsOf` costs what the account has. */
  readonly #byEmail = new Map<string, Set<string>>();
  readonly #used = new Map<string, number>();
  readonly #log: { revision: number; at: number; change: TokenChange }[] = [];
  #revision = 0;
  /** The revision of the last entry pruned: a reader behind it gets the whole state. */
  #horizon = 0;
  #nextSweep = -Infinity;

  /**
   * Makes an empty store.
   *
   * @param options `clock` for expiry and the log, `logRetention`.
   * @throws {TypeError} When an option is bad, naming it.
   */
  constructor(options: TokenStoreOptions = {}) {
    const { clock, logRetention } = storeOptions(options);
    this.#clock = clock;
    this.#retention = logRetention;
  }

  /** The revision of the last change (changes only through this object). */
  get hint(): number {
    return this.#revision;
  }

  /** Revokes `id` until `until` (epoch ms). */
  revokeId(id: string, until: number): Promise<void> {
    until = Math.max(until, this.#ids.get(id) ?? -Infinity);
    this.#ids.set(id, until);
    this.#append({ kind: "revoke_id", id, until });
    return Promise.resolve();
  }

  /** Revokes what `email` was issued at or before `before` (seconds), until `until`. */
  revokeAccount(email: string, before: number, until: number): Promise<void> {
    const stored = this.#accounts.get(email);
    const row = {
      before: Math.max(before, stored?.before ?? -Infinity),
      until: Math.max(until, stored?.until ?? -Infinity),
    };
    this.#accounts.set(email, row);
    this.#append({ kind: "revoke_account", email, ...row });
    return Promise.resolve();
  }

  /** Records an API token. */
  addApiToken(record: ApiTokenRecord): Promise<void> {
    const copy = structuredClone(record);
    this.#apiTokens.set(record.id, copy);
    this.#append({
      kind: "api_token",
      record: structuredClone(copy),
      until: copy.expires_at * 1000,
    });
    return Promise.resolve();
  }

  /** Removes an API token's record. */
  removeApiToken(id: string): Promise<void> {
    if (this.#apiTokens.delete(id)) this.#append({ kind: "remove_api_token", id });
    return Promise.resolve();
  }

  /** The entries after `revision`, or the whole state (see `TokenStore.changesSince`). */
  changesSince(revision?: number): Promise<TokenChanges> {
    this.#prune();
    if (revision === undefined || revision < this.#horizon || revision > this.#revision) {
      return Promise.resolve({ revision: this.#revision, reset: true, changes: this.#snapshot() });
    }
    // Entries are in revision order with no gaps: the first one after `revision` is at this index.
    const first = this.#log.length - (this.#revision - revision);
    return Promise.resolve({
      revision: this.#revision,
      reset: false,
      changes: this.#log.slice(first).map((entry) => structuredClone(entry.change)),
    });
  }

  /** True the first time `key` is used while its record lasts. */
  useOnce(key: string, until: number): Promise<boolean> {
    const now = this.#clock();
    const stored = this.#used.get(key);
    if (stored !== undefined && stored > now) return Promise.resolve(false);
    this.#used.set(key, until);
    this.#sweep(now);
    return Promise.resolve(true);
  }

  /** The unexpired record `id`, or `undefined`. */
  getGrant(id: string): Promise<GrantRecord | undefined> {
    const record = this.#grants.get(id);
    const live = record && !expired(record, this.#clock());
    return Promise.resolve(live ? copyGrant(record) : undefined);
  }

  /** Every unexpired record of `email`. */
  grantsOf(email: string): Promise<GrantRecord[]> {
    const now = this.#clock();
    const records: GrantRecord[] = [];
    for (const id of this.#byEmail.get(email) ?? []) {
      const record = this.#grants.get(id);
      if (record && record.email === email && !expired(record, now)) {
        records.push(copyGrant(record));
      }
    }
    return Promise.resolve(records);
  }

  /** Compare-and-set of one record (see `TokenStore.putGrant`). */
  putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean> {
    try {
      checkGrant(record);
    } catch (error) {
      return Promise.reject(error);
    }
    const now = this.#clock();
    if (!mayPut(this.#grants.get(record.id), record, expectedVersion, now)) {
      return Promise.resolve(false);
    }
    this.#dropGrant(record.id);
    if (!expired(record, now)) {
      this.#grants.set(record.id, copyGrant(record));
      let ids = this.#byEmail.get(record.email);
      if (!ids) this.#byEmail.set(record.email, ids = new Set());
      ids.add(record.id);
    }
    this.#sweep(now);
    return Promise.resolve(true);
  }

  #dropGrant(id: string): void {
    const record = this.#grants.get(id);
    if (!record) return;
    this.#grants.delete(id);
    const ids = this.#byEmail.get(record.email);
    ids?.delete(id);
    if (ids?.size === 0) this.#byEmail.delete(record.email);
  }

  #append(change: TokenChange): void {
    const now = this.#clock();
    this.#log.push({ revision: ++this.#revision, at: now, change });
    this.#sweep(now);
    this.#prune();
  }

  /** Drops the log entries older than the retention window. */
  #prune(): void {
    const oldest = this.#clock() - this.#retention;
    let drop = 0;
    while (drop < this.#log.length && this.#log[drop]!.at <= oldest) drop++;
    if (drop === 0) return;
    this.#horizon = this.#log[drop - 1]!.revision;
    this.#log.splice(0, drop);
  }

  /** Drops expired rows, at most once a minute (of the store's clock). */
  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_EVERY;
    for (const [id, until] of this.#ids) if (until <= now) this.#ids.delete(id);
    for (const [email, row] of this.#accounts) if (row.until <= now) this.#accounts.delete(email);
    for (const [id, t] of this.#apiTokens) {
      if (t.expires_at * 1000 <= now) this.#apiTokens.delete(id);
    }
    for (const [id, r] of this.#grants) if (expired(r, now)) this.#dropGrant(id);
    for (const [key, until] of this.#used) if (until <= now) this.#used.delete(key);
  }

  /** The live rows as entries. */
  #snapshot(): TokenChange[] {
    const now = this.#clock();
    const changes: TokenChange[] = [];
    for (const [id, until] of this.#ids) {
      if (until > now) changes.push({ kind: "revoke_id", id, until });
    }
    for (const [email, row] of this.#accounts) {
      if (row.until > now) changes.push({ kind: "revoke_account", email, ...row });
    }
    for (const record of this.#apiTokens.values()) {
      const until = record.expires_at * 1000;
      if (until > now) changes.push({ kind: "api_token", record: structuredClone(record), until });
    }
    return changes;
  }
}
