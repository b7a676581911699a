/**
 * An `AuditLog` in a SQLite database (`node:sqlite`, built into Deno and
 * Bun): one append-only table, indexed by account, actor and time.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { fileURLToPath } from "node:url";
import {
  type AuditEntry,
  type AuditLog,
  type AuditLogOptions,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  checkLogOptions,
  cursorAfter,
  cursorSeq,
  pageSize,
} from "./audit_entry.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS easy_oauth_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  account TEXT NOT NULL,
  actor TEXT,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS easy_oauth_audit_account ON easy_oauth_audit (account, seq);
CREATE INDEX IF NOT EXISTS easy_oauth_audit_actor ON easy_oauth_audit (actor, seq);
CREATE INDEX IF NOT EXISTS easy_oauth_audit_at ON easy_oauth_audit (at);
CREATE TRIGGER IF NOT EXISTS easy_oauth_audit_append_only BEFORE UPDATE ON easy_oauth_audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`;

/**
 * An audit trail in a SQLite file (WAL mode), shared by the processes that
 * open the same file: the server appends, `easy-oauth history` reads. Entries
 * are never updated (a trigger refuses it); those past the retention are
 * deleted as new ones come. The database is opened on first use.
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
    const db = new DatabaseSync(this.file);
    try {
      db.exec("PRAGMA busy_timeout = 5000");
      if (this.file !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
      db.exec(SCHEMA);
    } catch (error) {
      db.close();
      throw error;
    }
    return this.#db = db;
  }

  /** Appends `record` (and drops the entries past the retention); returns it with its `seq`. */
  append(record: AuditRecord): Promise<AuditEntry> {
    try {
      const db = this.#open();
      const text = JSON.stringify(record);
      db.prepare("DELETE FROM easy_oauth_audit WHERE at < ?").run(this.#clock() - this.#retention);
      const result = db.prepare(
        "INSERT INTO easy_oauth_audit (at, kind, account, actor, entry) VALUES (?, ?, ?, ?, ?)",
      ).run(record.at, record.kind, record.account, record.actor.email, text);
      return Promise.resolve({ ...JSON.parse(text), seq: Number(result.lastInsertRowid) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The entries that match, newest first (one indexed query). */
  query(query: AuditQuery): Promise<AuditPage> {
    try {
      const limit = pageSize(query);
      const below = cursorSeq(query.cursor);
      const where = ["at >= ?"];
      const params: SQLInputValue[] = [this.#clock() - this.#retention];
      if (below !== Infinity) where.push("seq < ?"), params.push(below);
      if (query.account !== undefined) where.push("account = ?"), params.push(query.account);
      if (query.actor !== undefined) where.push("actor = ?"), params.push(query.actor);
      if (query.kinds !== undefined) {
        where.push(`kind IN (${query.kinds.map(() => "?").join(", ") || "NULL"})`);
        params.push(...query.kinds);
      }
      if (query.since !== undefined) where.push("at >= ?"), params.push(query.since);
      if (query.until !== undefined) where.push("at < ?"), params.push(query.until);
      params.push(limit + 1);
      const rows = this.#open().prepare(
        `SELECT seq, entry FROM easy_oauth_audit WHERE ${where.join(" AND ")} ` +
          "ORDER BY seq DESC LIMIT ?",
      ).all(...params) as { seq: number; entry: string }[];
      const entries: AuditEntry[] = rows.slice(0, limit).map((row) => ({
        ...JSON.parse(row.entry),
        seq: Number(row.seq),
      }));
      const page: AuditPage = { entries };
      if (rows.length > limit) page.next = cursorAfter(entries[entries.length - 1].seq);
      return Promise.resolve(page);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Closes the database (it opens again on next use). */
  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }
}
