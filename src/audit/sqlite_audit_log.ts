/**
 * An `AuditLog` in a SQLite database (`node:sqlite`, built into Deno and
 * Bun): one append-only table, indexed by account, actor and time.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import {
  type AuditEntry,
  type AuditLog,
  type AuditLogOptions,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  checkLogOptions,
} from "./audit_entry.ts";
import { cursorAfter, pageSize, parseCursor } from "./paging.ts";
import { ownerOnly } from "../_private_file.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS easy_oauth_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  account TEXT NOT NULL,
  actor TEXT,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS easy_oauth_audit_account ON easy_oauth_audit (account, at, seq);
CREATE INDEX IF NOT EXISTS easy_oauth_audit_actor ON easy_oauth_audit (actor, at, seq);
CREATE INDEX IF NOT EXISTS easy_oauth_audit_at ON easy_oauth_audit (at, seq);
CREATE TRIGGER IF NOT EXISTS easy_oauth_audit_append_only BEFORE UPDATE ON easy_oauth_audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`;

/**
 * An audit trail in a SQLite file (WAL mode), shared by the processes that
 * open the same file: the server appends, `easy-oauth history` reads. Entries
 * are never updated (a trigger refuses it); those past the retention are
 * deleted as new ones come. Every query is one range of an index (account,
 * actor or time, each ordered by time then `seq`), however long the trail.
 * The database is opened on first use; it may be the `SqliteStore`'s own file
 * (the table is apart from the store's).
 *
 * @example
 * ```ts
 * import { SqliteAuditLog } from "@easy-oauth/hono";
 * const log = new SqliteAuditLog(":memory:");
 * await log.append({
 *   at: Date.now(), kind: "account_revoked", account: "bob@example.com", via: "api",
 *   actor: { email: "ann@example.com", credential: "session" },
 * });
 * (await log.query({ actor: "ann@example.com" })).entries.length; // 1
 * log.close();
 * ```
 */
export class SqliteAuditLog implements AuditLog {
  /** The database file, as given (`:memory:` for one that lives as long as this object). */
  readonly file: string;
  readonly #retention: number;
  readonly #clock: () => number;
  #db: DatabaseSync | undefined;
  #statements = new Map<string, StatementSync>();
  #prunedAt = -Infinity;

  /**
   * Checks the options; opens nothing yet.
   *
   * @param path A file path, a `file:` URL, or `":memory:"`.
   * @param options See `AuditLogOptions`.
   * @throws {TypeError} On a bad path or option, naming it.
   */
  constructor(path: string | URL, options: AuditLogOptions = {}) {
    if (path instanceof URL) {
      if (path.protocol !== "file:") throw new TypeError('"path" must be a file: URL');
      this.file = fileURLToPath(path);
    } else if (typeof path === "string" && path.length > 0) {
      this.file = path;
    } else {
      throw new TypeError('"path" must be a non-empty string or a file: URL');
    }
    ({ retention: this.#retention, clock: this.#clock } = checkLogOptions(options));
  }

  #open(): DatabaseSync {
    if (this.#db) return this.#db;
    // Readable by the app's user only, as the store's file: it names people and their addresses.
    if (this.file !== ":memory:") ownerOnly(this.file);
    const db = new DatabaseSync(this.file);
    try {
      db.exec("PRAGMA busy_timeout = 5000");
      // As the SQLite store: WAL, synced at checkpoints (an entry survives a crash of the process).
      if (this.file !== ":memory:") {
        db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
      }
      db.exec(SCHEMA);
    } catch (error) {
      db.close();
      throw error;
    }
    return this.#db = db;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#open().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Appends `record` (and drops the entries past the retention); returns it with its `seq`. */
  append(record: AuditRecord): Promise<AuditEntry> {
    try {
      const text = JSON.stringify(record);
      // At most once a minute: one entry past the retention for a minute more costs nothing.
      const now = this.#clock();
      if (!(Math.abs(now - this.#prunedAt) < 60_000)) {
        this.#statement("DELETE FROM easy_oauth_audit WHERE at < ?").run(now - this.#retention);
        this.#prunedAt = now;
      }
      const result = this.#statement(
        "INSERT INTO easy_oauth_audit (at, kind, account, actor, entry) VALUES (?, ?, ?, ?, ?)",
      ).run(record.at, record.kind, record.account, record.actor.email, text);
      return Promise.resolve({ ...JSON.parse(text), seq: Number(result.lastInsertRowid) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The entries that match, newest first (one range of an index). */
  query(query: AuditQuery): Promise<AuditPage> {
    try {
      const limit = pageSize(query);
      const start = parseCursor(query.cursor);
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      // The equality first, so that its index serves the time range and the order.
      if (query.account !== undefined) where.push("account = ?"), params.push(query.account);
      if (query.actor !== undefined) where.push("actor = ?"), params.push(query.actor);
      where.push("at >= ?");
      const oldest = this.#clock() - this.#retention;
      params.push(query.since === undefined ? oldest : Math.max(oldest, query.since));
      if (query.until !== undefined) where.push("at < ?"), params.push(query.until);
      if (start !== undefined) where.push("(at, seq) < (?, ?)"), params.push(start.at, start.seq);
      if (query.kinds !== undefined) {
        where.push(`kind IN (${query.kinds.map(() => "?").join(", ") || "NULL"})`);
        params.push(...query.kinds);
      }
      params.push(limit + 1);
      const rows = this.#statement(
        `SELECT seq, entry FROM easy_oauth_audit WHERE ${where.join(" AND ")} ` +
          "ORDER BY at DESC, seq DESC LIMIT ?",
      ).all(...params) as { seq: number; entry: string }[];
      const entries: AuditEntry[] = rows.slice(0, limit).map((row) => ({
        ...JSON.parse(row.entry),
        seq: Number(row.seq),
      }));
      const page: AuditPage = { entries };
      if (rows.length > limit) page.next = cursorAfter(entries[entries.length - 1]!);
      return Promise.resolve(page);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Closes the database (it opens again on next use). */
  close(): void {
    this.#statements.clear();
    this.#db?.close();
    this.#db = undefined;
  }
}
