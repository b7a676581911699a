/**
 * The token store of `PostgresStore`.
 *
 * @module
 */
import type {
  ApiTokenRecord,
  GrantRecord,
  TokenChanges,
  TokenStore,
} from "../src/stores/token_store.ts";
import { checkGrant, copyGrant } from "../src/stores/_grant_records.ts";
import { reaching, type Sql } from "./_sql.ts";
import * as rows from "./_token_rows.ts";
import { getGrant, grantsOf, putGrant } from "./_grant.ts";

/** Milliseconds (of the store's clock) between two sweeps of expired rows and old log entries. */
const SWEEP_EVERY = 60_000;

/**
 * A `TokenStore` in PostgreSQL (`pg.tokens` of a `PostgresStore`): revoked
 * token ids, account revocations, API tokens, grant records and single-use
 * records, as rows. Each change of the revocation state writes its row and
 * appends to the change log in one statement; a replica's manager catches up
 * with `changesSince(itsRevision)`, read from the tables. A `NOTIFY` (the
 * revision, nothing else) only moves `hint`: it is never read as state, so a
 * role that may send notifications but read no table changes nothing.
 * Expired rows and log entries older than `logRetention` are deleted through
 * indexes on their expiry, a bounded number at a time.
 *
 * @example
 * ```ts ignore
 * import { PostgresStore } from "@easy-oauth/hono/postgres";
 *
 * await using pg = await PostgresStore.connect("postgres://localhost/app");
 * await pg.tokens.revokeId("k3J…", Date.now() + 60_000);
 * const { revision, changes } = await pg.tokens.changesSince();
 * ```
 */
export class PostgresTokenStore implements TokenStore {
  readonly #sql: Sql;
  readonly #s: string;
  readonly #channel: string;
  readonly #clock: () => number;
  readonly #retention: number;
  #hint = 0;
  #nextSweep = -Infinity;
  #sweeping: Promise<void> | undefined;

  /**
   * Made by `PostgresStore`; not meant to be constructed by hand.
   * @ignore
   */
  constructor(sql: Sql, schema: string, channel: string, clock: () => number, retention: number) {
    this.#sql = sql;
    this.#s = `"${schema}"`;
    this.#channel = channel;
    this.#clock = clock;
    this.#retention = retention;
  }

  /**
   * Moves whenever the log may hold entries this replica has not read: its
   * own writes, a notification (anyone's: only a hint), a reconnection.
   */
  get hint(): number {
    return this.#hint;
  }

  /**
   * Told by the change feed that there may be something new.
   * @ignore
   */
  hinted(): void {
    this.#hint++;
  }

  /**
   * Revokes `id` until `until` (epoch ms); the later of two revocations stays.
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  revokeId(id: string, until: number): Promise<void> {
    return this.#write("record a revocation", (w) => rows.revokeId(w, id, until));
  }

  /**
   * Revokes what `email` was issued at or before `before` (seconds), until `until` (epoch ms).
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  revokeAccount(email: string, before: number, until: number): Promise<void> {
    return this.#write(
      "record a revocation",
      (w) => rows.revokeAccount(w, email, before, until),
    );
  }

  /**
   * Records an issued API token, kept until it expires.
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  addApiToken(record: ApiTokenRecord): Promise<void> {
    return this.#write("record an API token", (w) => rows.addApiToken(w, record));
  }

  /**
   * Removes an API token's record (nothing logged when there was none).
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  removeApiToken(id: string): Promise<void> {
    return this.#write("remove an API token", (w) => rows.removeApiToken(w, id));
  }

  /**
   * The log entries after `revision`, read from the tables (an index range
   * on the revision: it costs what changed), or the whole unexpired state
   * (`reset: true`) when `revision` is omitted, older than the entries kept,
   * or unknown to this database.
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  changesSince(revision?: number): Promise<TokenChanges> {
    return reaching("read revocations", async () => {
      return await rows.changesAfter(this.#sql, this.#s, revision) ??
        await rows.wholeState(this.#sql, this.#s, this.#clock());
    });
  }

  /**
   * Records `key` as used until `until` (epoch ms): true the first time,
   * false while the record lasts, for every replica (one statement).
   *
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  useOnce(key: string, until: number): Promise<boolean> {
    return reaching("record a login", async () => {
      await this.#maintain();
      return await rows.useOnce(this.#sql, this.#s, key, until, this.#clock());
    });
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
    return await reaching("record a login", async () => {
      await this.#maintain();
      return await putGrant(this.#sql, this.#schema, copy, expectedVersion, this.#now());
    });
  }

  get #schema(): string {
    return this.#s.slice(1, -1);
  }

  async #write(what: string, run: (w: rows.Writer) => Promise<void>): Promise<void> {
    await reaching(what, async () => {
      await this.#maintain();
      await run({ sql: this.#sql, s: this.#s, channel: this.#channel, now: this.#clock() });
    });
    this.#hint++;
  }

  /** Sweeps expired rows and old log entries when due (one write in this process waits for it). */
  #maintain(): Promise<void> {
    const now = this.#clock();
    if (this.#sweeping) return this.#sweeping;
    if (now < this.#nextSweep) return Promise.resolve();
    this.#sweeping = rows.sweep(this.#sql, this.#s, now, now - this.#retention).then(() => {
      this.#nextSweep = now + SWEEP_EVERY;
    }).finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  #now(): number {
    return this.#clock() / 1000;
  }
}
