/**
 * The token store of `PostgresStore`.
 *
 * @module
 */
import type {
  ApiTokenRecord,
  GrantRecord,
  TokenChange,
  TokenChanges,
  TokenStore,
} from "../src/stores/token_store.ts";
import { checkGrant, copyGrant } from "../src/stores/_grant_records.ts";
import { MAX_PAYLOAD, reaching, type Sql } from "./_sql.ts";
import {
  applyDiff,
  type Diff,
  diffStates,
  emptyState,
  readState,
  type TokenState,
  writeDiff,
} from "./_token_rows.ts";
import { deleteExpiredGrants, getGrant, grantsOf, putGrant } from "./_grant.ts";

/**
 * A `TokenStore` in PostgreSQL (`pg.tokens` of a `PostgresStore`): revoked
 * token ids, account revocations, API tokens and per-grant records. The state
 * the manager checks on each request is this replica's memory; `update` is
 * a compare-and-set on the state's revision (one statement), published to
 * every replica with `NOTIFY`. Expired rows are deleted by the writes. Grant
 * records are read from the database (they are needed at refresh time only).
 *
 * @example
 * ```ts ignore
 * import { PostgresStore } from "@easy-oauth/hono/postgres";
 *
 * await using pg = await PostgresStore.connect("postgres://localhost/app");
 * await pg.tokens.revokeId("abc", Date.now() + 60_000);
 * ```
 */
export class PostgresTokenStore implements TokenStore {
  readonly #sql: Sql;
  readonly #schema: string;
  readonly #channel: string;
  readonly #clock: () => number;
  #state: TokenState = emptyState();
  #rev = 0;
  #version = 0;
  #queue: Promise<void> = Promise.resolve();

  /**
   * Made by `PostgresStore`; not meant to be constructed by hand.
   * @ignore
   */
  constructor(sql: Sql, schema: string, channel: string, clock: () => number) {
    this.#sql = sql;
    this.#schema = schema;
    this.#channel = channel;
    this.#clock = clock;
  }

  /** Bumped by every change this replica learns of: the manager then reads the state again. */
  get hint(): number {
    return this.#version;
  }

  /**
   * The state as this replica knows it, always whole (`reset`); no database round trip.
   */
  changesSince(_revision?: number): Promise<TokenChanges> {
    const s = this.#state;
    const changes: TokenChange[] = [];
    for (const [id, until] of Object.entries(s.revoked_ids)) {
      changes.push({ kind: "revoke_id", id, until });
    }
    for (const [email, before] of Object.entries(s.revoked_accounts)) {
      changes.push({ kind: "revoke_account", email, before, until: Infinity });
    }
    for (const record of Object.values(s.api_tokens)) {
      changes.push({ kind: "api_token", record: structuredClone(record), until: Infinity });
    }
    return Promise.resolve({ revision: this.#rev, reset: true, changes });
  }

  /** Revokes `id` until `until` (epoch ms). */
  async revokeId(id: string, until: number): Promise<void> {
    await this.update((s) => {
      s.revoked_ids[id] = Math.max(until, s.revoked_ids[id] ?? -Infinity);
      this.#prune(s);
      return s;
    });
  }

  /** Revokes what `email` was issued at or before `before` (seconds). */
  async revokeAccount(email: string, before: number, _until: number): Promise<void> {
    await this.update((s) => {
      s.revoked_accounts[email] = Math.max(before, s.revoked_accounts[email] ?? -Infinity);
      this.#prune(s);
      return s;
    });
  }

  /** Records an API token. */
  async addApiToken(record: ApiTokenRecord): Promise<void> {
    await this.update((s) => {
      s.api_tokens[record.id] = structuredClone(record);
      this.#prune(s);
      return s;
    });
  }

  /** Removes an API token's record. */
  async removeApiToken(id: string): Promise<void> {
    await this.update((s) => {
      delete s.api_tokens[id];
      return s;
    });
  }

  /** True the first time `key` is used while its record lasts (a grant record under the hood). */
  async useOnce(key: string, until: number): Promise<boolean> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
    const id = "used." + btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/[+/=]/g, (c) => ({ "+": "-", "/": "_", "=": "" })[c]!);
    return await this.putGrant({
      id,
      email: "used-login-state",
      version: 1,
      expires_at: until / 1000,
      data: {},
    }, 0);
  }

  #prune(s: TokenState): void {
    const now = this.#clock();
    for (const [id, until] of Object.entries(s.revoked_ids)) {
      if (until <= now) delete s.revoked_ids[id];
    }
    for (const [id, t] of Object.entries(s.api_tokens)) {
      if (t.expires_at * 1000 <= now) delete s.api_tokens[id];
    }
  }

  /**
   * Changes the state atomically: `fn` runs on the current state and its
   * change is written in one statement if no replica wrote meanwhile, else
   * `fn` runs again on the newer state. `fn` may throw to abort (nothing is
   * written, the error propagates unchanged).
   *
   * @returns The new state.
   * @throws {StoreUnavailable} When the database cannot be reached.
   * @ignore
   */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    // One update at a time in this replica: the compare-and-set then only races with other replicas.
    const run = this.#queue.then(() => this.#update(fn));
    this.#queue = run.then(() => {}, () => {});
    return run;
  }

  async #update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    const s = `"${this.#schema}"`;
    // Compare-and-set on the revision, one statement per attempt: first on
    // this replica's view, then on a fresh read when another replica wrote.
    let base: { state: TokenState; rev: number } = { state: this.#state, rev: this.#rev };
    let fresh = false;
    for (;;) {
      const next = fn(structuredClone(base.state));
      const diff = diffStates(base.state, next);
      // "Nothing to change" is only trusted on a fresh read (this view may lag).
      if (diff === undefined && fresh) return structuredClone(next);
      if (diff !== undefined) {
        const rev = base.rev + 1;
        const notify = { channel: this.#channel, payload: payload(rev, diff) };
        const wrote = await reaching(
          "record a revocation or token",
          () => writeDiff(this.#sql, s, base.rev, diff, notify),
        );
        if (wrote) {
          if (rev > this.#rev) this.#set(structuredClone(next), rev);
          return structuredClone(next);
        }
      }
      base = await reaching("record a revocation or token", () => readState(this.#sql, s));
      fresh = true;
    }
  }

  /**
   * One grant's record, unexpired, read from the database.
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  getGrant(id: string): Promise<GrantRecord | undefined> {
    return reaching("read a login", () => getGrant(this.#sql, this.#schema, id, this.#now()));
  }

  /**
   * The unexpired grant records of one account.
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  grantsOf(email: string): Promise<GrantRecord[]> {
    return reaching("read logins", () => grantsOf(this.#sql, this.#schema, email, this.#now()));
  }

  /**
   * Writes `record` when the stored version is `expectedVersion` (0: must not
   * exist) and `record.version` is `expectedVersion + 1`, in one statement.
   *
   * @returns Whether it was written.
   * @throws {TypeError} When `record` is malformed (see `GrantRecord`).
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  async putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean> {
    checkGrant(record);
    if (record.version !== expectedVersion + 1) return false;
    const copy = copyGrant(record);
    const now = this.#now();
    return await reaching("record a login", async () => {
      if (expectedVersion === 0) await deleteExpiredGrants(this.#sql, this.#schema, now);
      return await putGrant(this.#sql, this.#schema, copy, expectedVersion, now);
    });
  }

  /**
   * A change published by a replica (maybe this one), as `update` sends it.
   * @ignore
   */
  message(change: { r: number; d?: Diff }, fetch: () => void): void {
    if (change.r <= this.#rev) return;
    if (change.r !== this.#rev + 1 || change.d === undefined) return fetch();
    applyDiff(this.#state, change.d);
    this.#rev = change.r;
    this.#version++;
  }

  /**
   * Replaces the whole view with what the database holds.
   * @ignore
   */
  async reload(sql: Sql): Promise<void> {
    const { state, rev } = await readState(sql, `"${this.#schema}"`);
    this.#set(state, rev);
  }

  #set(state: TokenState, rev: number): void {
    this.#state = state;
    this.#rev = rev;
    this.#version++;
  }

  #now(): number {
    return this.#clock() / 1000;
  }
}

function payload(rev: number, diff: Diff): string {
  const full = JSON.stringify({ k: "t", r: rev, d: diff });
  return full.length <= MAX_PAYLOAD ? full : JSON.stringify({ k: "t", r: rev });
}
