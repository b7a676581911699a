/**
 * The default token store: SQLite, through `node:sqlite` (built into Deno 2
 * and Bun; no dependency, no native add-on).
 *
 * @module
 */
import { renameSync } from "node:fs";
import { checkGrant, type GrantRecord } from "./_grant_records.ts";
import { Connection } from "./_sqlite.ts";
import { importTokenFile } from "./_sqlite_import.ts";
import * as rows from "./_sqlite_rows.ts";
import { SqliteCapabilityStore } from "./sqlite_capability_store.ts";
import {
  type ApiTokenRecord,
  storeOptions,
  type TokenChange,
  type TokenChanges,
  type TokenStore,
  type TokenStoreOptions,
} from "./token_store.ts";

/**
 * The options of `SqliteStore`.
 *
 * @example
 * ```ts
 * import type { SqliteStoreOptions } from "@easy-oauth/hono";
 * const options: SqliteStoreOptions = { importFrom: "caps.tokens.json", checkInterval: 5 };
 * ```
 */
export interface SqliteStoreOptions extends TokenStoreOptions {
  /**
   * A token file of earlier versions (`caps.tokens.json`) to import when the
   * database is created; it is then renamed `<file>.imported` (kept as a backup).
   */
  importFrom?: string;
  /**
   * Milliseconds between two checks (`PRAGMA data_version`, a few
   * microseconds) for commits of other processes, made on the request path:
   * a revocation made through one process is refused by the others within
   * this delay.
   * @default {5}
   */
  checkInterval?: number;
  /**
   * Milliseconds a write keeps retrying while another process holds the
   * database's write lock, before it fails with `StoreUnavailable` (a 503).
   * @default {5000}
   */
  busyTimeout?: number;
  /**
   * Told of the one-time import of `importFrom`.
   * @default {console.warn}
   */
  log?: (message: string) => void;
}

/**
 * A `TokenStore` in one SQLite file, and, as an option, a `CapabilityStore`
 * in the same file (`capabilities`). WAL mode: safe for several processes on
 * one machine, readers never wait for writers, and each write is one short
 * transaction on the rows it changes plus one entry of the change log. Each
 * process keeps its views in memory and catches up by reading the log after
 * its last revision, when `PRAGMA data_version` says another process
 * committed (checked at most every `checkInterval` ms). The schema is created
 * and migrated by version on first use; the file is opened then, not before.
 *
 * What `OAuthManager` uses when given no `tokenStore` and a `userFile`: the
 * file beside it (`caps.yaml` → `caps.db`).
 *
 * @example
 * ```ts
 * import { CapabilitySet, OAuthManager, SqliteStore } from "@easy-oauth/hono";
 *
 * const store = new SqliteStore("app.db");
 * const oauth = new OAuthManager({
 *   serverMetadataUrl: "https://accounts.google.com/.well-known/openid-configuration",
 *   secretKey: "change me: a long random string of 32+ characters",
 *   clientId: "CLIENT_ID",
 *   clientSecret: "CLIENT_SECRET",
 *   capabilities: new CapabilitySet({ graph: { read: [] }, store: store.capabilities }),
 *   tokenStore: store,
 * });
 * ```
 */
export class SqliteStore implements TokenStore, Disposable {
  /** The database file. */
  readonly file: string;
  readonly #clock: () => number;
  readonly #retention: number;
  readonly #checkInterval: number;
  readonly #importFrom: string | undefined;
  readonly #log: (message: string) => void;
  readonly #busyTimeout: number;
  #connection: Connection | undefined;
  #capabilities: SqliteCapabilityStore | undefined;
  #hint = 0;
  #dataVersion = -1;
  #checkedAt = -Infinity;

  /**
   * Names the file; opens nothing yet (the first operation does).
   *
   * @param file The database file (created when missing), e.g. `caps.db`.
   * @param options See `SqliteStoreOptions`.
   * @throws {TypeError} When `file` is not a non-empty path, or an option is bad (naming it).
   */
  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (typeof file !== "string" || file === "") {
      throw new TypeError('"file" must be a non-empty path');
    }
    const { clock, logRetention } = storeOptions(options);
    const { checkInterval = 5, importFrom, log = console.warn, busyTimeout = 5000 } = options;
    if (typeof busyTimeout !== "number" || !(busyTimeout >= 0)) {
      throw new TypeError('"busyTimeout" must be a number of milliseconds, 0 or more');
    }
    if (typeof checkInterval !== "number" || !(checkInterval >= 0)) {
      throw new TypeError('"checkInterval" must be a number of milliseconds, 0 or more');
    }
    if (importFrom !== undefined && (typeof importFrom !== "string" || importFrom === "")) {
      throw new TypeError('"importFrom" must be a non-empty path');
    }
    if (typeof log !== "function") throw new TypeError('"log" must be a function');
    this.file = file;
    this.#clock = clock;
    this.#retention = logRetention;
    this.#checkInterval = checkInterval;
    this.#importFrom = importFrom;
    this.#log = log;
    this.#busyTimeout = busyTimeout;
  }

  /** Who holds which capabilities, in the same file (an alternative to the YAML file). */
  get capabilities(): SqliteCapabilityStore {
    return this.#capabilities ??= new SqliteCapabilityStore({
      connection: () => this.#open(),
      hint: () => this.hint,
      clock: this.#clock,
      retention: this.#retention,
      changed: () => this.#changed(),
    });
  }

  /** Changes when this store wrote, or another process committed (checked every `checkInterval` ms). */
  get hint(): number {
    const connection = this.#connection;
    if (connection === undefined) return this.#hint;
    const now = performance.now();
    if (now - this.#checkedAt >= this.#checkInterval) {
      this.#checkedAt = now;
      try {
        const version = connection.dataVersion();
        if (version !== this.#dataVersion) {
          this.#dataVersion = version;
          this.#hint++;
        }
      } catch {
        // The next read reports what is wrong with the file.
      }
    }
    return this.#hint;
  }

  /** Revokes `id` until `until` (epoch ms). */
  revokeId(id: string, until: number): Promise<void> {
    return this.#write((c, now) => void rows.revokeId(c, id, until, now));
  }

  /** Revokes what `email` was issued at or before `before` (seconds), until `until`. */
  revokeAccount(email: string, before: number, until: number): Promise<void> {
    return this.#write((c, now) => void rows.revokeAccount(c, email, before, until, now));
  }

  /** Records an API token. */
  addApiToken(record: ApiTokenRecord): Promise<void> {
    return this.#write((c, now) => rows.addApiToken(c, record, now));
  }

  /** Removes an API token's record. */
  removeApiToken(id: string): Promise<void> {
    return this.#write((c, now) => rows.removeApiToken(c, id, now));
  }

  /** The entries after `revision`, or the whole state (see `TokenStore.changesSince`). */
  async changesSince(revision?: number): Promise<TokenChanges> {
    const c = this.#open();
    const now = this.#clock();
    return await c.read(() => {
      const last = c.revision();
      if (revision === undefined || revision < rows.horizon(c) || revision > last) {
        return { revision: last, reset: true, changes: rows.snapshot(c, now) };
      }
      const changes = rows.entries(c, "t", revision, last) as TokenChange[];
      return { revision: last, reset: false, changes };
    });
  }

  /** True the first time `key` is used while its record lasts, for every process. */
  useOnce(key: string, until: number): Promise<boolean> {
    return this.#write((c, now) => rows.useOnce(c, key, until, now), false);
  }

  /** The unexpired record `id`, or `undefined`. */
  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const c = this.#open();
    return await c.read(() => rows.getGrant(c, id, this.#clock()));
  }

  /** Every unexpired record of `email`. */
  async grantsOf(email: string): Promise<GrantRecord[]> {
    const c = this.#open();
    return await c.read(() => rows.grantsOf(c, email, this.#clock()));
  }

  /** Compare-and-set of one record, in one transaction. */
  putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean> {
    try {
      checkGrant(record);
    } catch (error) {
      return Promise.reject(error);
    }
    const copy = structuredClone(record);
    return this.#write((c, now) => {
      // The compare-and-set rule of every store (`mayPut`), on the stored version.
      const stored = rows.grantVersion(c, copy.id, now);
      if (stored !== expectedVersion || copy.version !== expectedVersion + 1) return false;
      rows.writeGrant(c, copy, now);
      return true;
    }, false);
  }

  /** Closes the database (a later operation opens it again). */
  close(): void {
    this.#connection?.close();
    this.#connection = undefined;
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** One write transaction, with a bounded sweep of what expired; `logged`: it appended to the log. */
  async #write<T>(fn: (c: Connection, now: number) => T, logged = true): Promise<T> {
    const c = this.#open();
    const now = this.#clock();
    const result = await c.write(() => {
      const result = fn(c, now);
      rows.sweep(c, now, this.#retention);
      return result;
    });
    if (logged) this.#changed();
    return result;
  }

  #changed(): void {
    this.#hint++;
  }

  /** The connection, opened (schema created or migrated, old token file imported) on first use. */
  #open(): Connection {
    if (this.#connection) return this.#connection;
    let imported: ReturnType<typeof importTokenFile>;
    const from = this.#importFrom;
    const connection = new Connection(this.file, (c) => {
      if (from !== undefined) imported = importTokenFile(c, from, this.#clock());
    }, this.#busyTimeout);
    this.#connection = connection;
    this.#dataVersion = connection.dataVersion();
    this.#checkedAt = performance.now();
    if (imported && from !== undefined) {
      renameSync(from, `${from}.imported`);
      this.#log(
        `easy-oauth: imported ${from} into ${this.file} (${imported.revocations} revocations, ` +
          `${imported.apiTokens} API tokens, ${imported.grants} logins); ` +
          `the old file is kept as ${from}.imported`,
      );
    }
    return connection;
  }
}
