// The SQLite connection of SqliteStore (node:sqlite, built into Deno 2 and
// Bun): opened in WAL mode with a short busy timeout, the schema created or
// migrated by number (`PRAGMA user_version`), statements prepared once, and
// transactions kept tiny and retried with an async back-off when another
// process holds the write lock (the busy timeout blocks the event loop, so
// it stays a few milliseconds).
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { ConfigError, StoreUnavailable } from "../errors.ts";
import { ownerOnly } from "../_private_file.ts";

/**
 * The steps of the schema, in order; never edit a released step, add one.
 * Times are epoch ms (`until`, `at`) except where the record says seconds.
 */
const STEPS: readonly string[] = [
  `create table log (
     rev integer primary key autoincrement,
     at real not null,
     kind text not null,          -- 't': token state, 'c': capabilities
     body text not null           -- the change, as JSON
   );
   create index log_at on log (at);
   create table meta (key text primary key, value) without rowid;
   insert into meta values ('horizon', 0);
   create table revoked_ids (id text primary key, until real not null) without rowid;
   create index revoked_ids_until on revoked_ids (until);
   create table revoked_accounts (
     email text primary key, before real not null, until real not null
   ) without rowid;
   create index revoked_accounts_until on revoked_accounts (until);
   create table api_tokens (id text primary key, record text not null, until real not null)
     without rowid;
   create index api_tokens_until on api_tokens (until);
   create table grants (
     id text primary key,
     email text not null,
     version integer not null,
     expires_at real not null,    -- seconds
     data text not null
   ) without rowid;
   create index grants_email on grants (email);
   create index grants_expires_at on grants (expires_at);
   create table used_once (key text primary key, until real not null) without rowid;
   create index used_once_until on used_once (until);
   create table capabilities (
     email text primary key,
     list text not null,
     pos integer not null         -- storage order, as a file keeps it
   );`,
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION: number = STEPS.length;

/** Milliseconds SQLite itself waits for a lock (synchronously): short, the back-off does the rest. */
const BUSY_TIMEOUT_MS = 10;

/** How long a write keeps retrying a locked database before answering 503 (the default). */
export const BUSY_GIVE_UP_MS = 5_000;

/** Whether `error` is SQLite's "database is locked" (SQLITE_BUSY). */
export function isBusy(error: unknown): boolean {
  const e = error as { errcode?: unknown; message?: unknown } | null;
  return (e?.errcode === 5 || e?.errcode === 6) ||
    /database (table )?is locked|SQLITE_BUSY/i.test(String(e?.message ?? ""));
}

/** One connection, its prepared statements and its transactions. */
export class Connection {
  readonly file: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #dataVersion: StatementSync;
  readonly #giveUp: number;

  /**
   * Opens (creating) the database and brings its schema up to date; `first`
   * runs in the transaction that creates the schema (an import).
   *
   * @throws {StoreUnavailable} When the file cannot be opened or is newer than this code.
   */
  constructor(
    file: string,
    first: (c: Connection) => void = () => {},
    giveUpMs: number = BUSY_GIVE_UP_MS,
  ) {
    this.file = file;
    this.#giveUp = giveUpMs;
    try {
      // Made readable by the app's user only (it holds sealed refresh tokens).
      if (file !== ":memory:") ownerOnly(file);
      this.#db = new DatabaseSync(file);
      this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (cause) {
      throw unavailable(file, cause);
    }
    try {
      this.#dataVersion = this.#db.prepare("PRAGMA data_version");
      this.#setUp(first);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  #setUp(first: (c: Connection) => void): void {
    const deadline = Date.now() + this.#giveUp;
    for (;;) {
      try {
        // WAL: readers never wait for the writer, and a commit is one append.
        this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
        this.#migrate(first);
        return;
      } catch (cause) {
        // A token file to import that is broken is the operator's to repair, not a store outage.
        if (cause instanceof ConfigError) throw cause;
        // Start-up is synchronous (once per process): a few short waits for another process's migration.
        if (!isBusy(cause) || Date.now() > deadline) throw unavailable(this.file, cause);
        const until = Date.now() + 20;
        while (Date.now() < until) { /* wait for the other process's short transaction */ }
      }
    }
  }

  #migrate(first: (c: Connection) => void): void {
    const version = () => Number(this.#db.prepare("PRAGMA user_version").get()!.user_version);
    if (version() === STEPS.length) return;
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const from = version();
      if (from > STEPS.length) {
        throw new Error(
          `${this.file} is at schema ${from}, newer than this code (${STEPS.length})`,
        );
      }
      for (let step = from; step < STEPS.length; step++) this.#db.exec(STEPS[step]!);
      if (from === 0) first(this);
      this.#db.exec(`PRAGMA user_version = ${STEPS.length}`);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** The statement for `sql`, prepared once. */
  sql(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, statement = this.#db.prepare(sql));
    return statement;
  }

  /** Changes when another connection (another process) committed since the last call. */
  dataVersion(): number {
    return Number(this.#dataVersion.get()!.data_version);
  }

  /** The revision of the last log entry (0 when none was ever written). */
  revision(): number {
    const row = this.sql("select seq from sqlite_sequence where name = 'log'").get();
    return row ? Number(row.seq) : 0;
  }

  /** Runs `fn` in one write transaction, retried while another process holds the lock. */
  write<T>(fn: () => T): Promise<T> {
    return this.#retrying(() => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = fn();
        this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        try {
          this.#db.exec("ROLLBACK");
        } catch {
          // Already rolled back by SQLite.
        }
        throw error;
      }
    });
  }

  /** Runs `fn` in one read transaction (one snapshot of the database), retried when locked. */
  read<T>(fn: () => T): Promise<T> {
    return this.#retrying(() => this.readNow(fn));
  }

  /**
   * `read`, synchronously and once.
   * @throws {StoreUnavailable} When SQLite fails (a lock: the caller falls back to `read`).
   */
  readNow<T>(fn: () => T): T {
    try {
      this.#db.exec("BEGIN");
      try {
        return fn();
      } finally {
        this.#db.exec("COMMIT");
      }
    } catch (error) {
      throw sqliteError(error) ? unavailable(this.file, error) : error;
    }
  }

  async #retrying<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.#giveUp;
    for (let attempt = 0;; attempt++) {
      try {
        return fn();
      } catch (error) {
        // What `fn` threw on its own (a bad record, an update refused) goes through unchanged.
        if (!sqliteError(error)) throw error;
        if (!isBusy(error) || Date.now() > deadline) throw unavailable(this.file, error);
        const pause = Math.min(2 ** attempt, 50) * (0.5 + Math.random());
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /** Closes the connection (its statements with it). */
  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Whether `error` comes from SQLite (not from the code running in a transaction). */
function sqliteError(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown } | null;
  return e?.code === "ERR_SQLITE_ERROR" || typeof e?.errcode === "number";
}

/** A SQLite failure as a 503 (logged with its cause), naming the file only. */
export function unavailable(file: string, cause: unknown): StoreUnavailable {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailable(`the database ${file} cannot be used: ${why}`, { cause });
}
