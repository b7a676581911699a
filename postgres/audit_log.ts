/**
 * The audit trail in PostgreSQL: one append-only table (`<schema>.audit`)
 * beside the store's, indexed by account, actor and time, for replicas on
 * several machines.
 *
 * @module
 */
import postgres from "postgres";
import {
  type AuditEntry,
  type AuditLog,
  type AuditLogOptions,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  checkLogOptions,
} from "../src/audit/audit_entry.ts";
import { cursorAfter, pageSize, parseCursor } from "../src/audit/paging.ts";
import { reaching, SCHEMA_NAME, type Sql } from "./_sql.ts";

/**
 * Options of `PostgresAuditLog`.
 *
 * @example
 * ```ts
 * import type { PostgresAuditLogOptions } from "@easy-oauth/hono/postgres";
 * const options: PostgresAuditLogOptions = { schema: "easy_oauth", retention: 90 * 86_400_000 };
 * ```
 */
export interface PostgresAuditLogOptions extends AuditLogOptions {
  /**
   * The schema holding the table, created when missing (the store's, usually).
   * @default {"easy_oauth"}
   */
  schema?: string;
}

const SCHEMA = (s: string) =>
  `create schema if not exists "${s}";
   create table if not exists "${s}".audit (
     seq bigserial primary key,
     at double precision not null,  -- epoch ms
     kind text not null,
     account text not null,
     actor text,
     entry jsonb not null
   );
   create index if not exists audit_account on "${s}".audit (account, at, seq);
   create index if not exists audit_actor on "${s}".audit (actor, at, seq);
   create index if not exists audit_at on "${s}".audit (at, seq);
   create or replace function "${s}".audit_append_only() returns trigger language plpgsql as
     $$ begin raise exception 'the audit trail is append-only'; end $$;
   create or replace trigger audit_append_only before update on "${s}".audit
     for each row execute function "${s}".audit_append_only();`;

/**
 * An audit trail in PostgreSQL, shared by every replica: entries are never
 * updated (a trigger refuses it), those past the retention are deleted as new
 * ones come, and every query is one range of an index.
 *
 * @example
 * ```ts ignore
 * import { PostgresAuditLog, PostgresStore } from "@easy-oauth/hono/postgres";
 * const url = Deno.env.get("DATABASE_URL")!;
 * await using pg = await PostgresStore.connect(url);
 * await using audit = await PostgresAuditLog.connect(url);
 * // new OAuthManager({ …, capabilities: { graph, store: pg.capabilities }, tokenStore: pg.tokens, audit })
 * ```
 */
export class PostgresAuditLog implements AuditLog, AsyncDisposable {
  /** The schema in use. */
  readonly schema: string;
  readonly #sql: Sql;
  readonly #owned: boolean;
  readonly #retention: number;
  readonly #clock: () => number;

  private constructor(sql: Sql, schema: string, owned: boolean, options: AuditLogOptions) {
    this.#sql = sql;
    this.schema = schema;
    this.#owned = owned;
    ({ retention: this.#retention, clock: this.#clock } = checkLogOptions(options));
  }

  /**
   * Connects to `url` (a pool of two connections) and creates the table when missing.
   *
   * @throws {TypeError} On a bad URL or option, naming it.
   * @throws When the database cannot be reached.
   */
  static async connect(
    url: string,
    options: PostgresAuditLogOptions = {},
  ): Promise<PostgresAuditLog> {
    if (typeof url !== "string" || !/^postgres(ql)?:\/\//.test(url)) {
      throw new TypeError('"url" must be a postgres:// connection string');
    }
    const schema = checkSchema(options.schema);
    checkLogOptions(options);
    const sql = postgres(url, { max: 2, connect_timeout: 5, onnotice: () => {} }) as unknown as Sql;
    try {
      return await PostgresAuditLog.#open(sql, schema, true, options);
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
  }

  /**
   * Uses the app's own `postgres` client; `close()` leaves it open.
   *
   * @throws {TypeError} On a bad client or option, naming it.
   */
  static async fromClient(
    sql: unknown,
    options: PostgresAuditLogOptions = {},
  ): Promise<PostgresAuditLog> {
    if (typeof sql !== "function" || typeof (sql as Sql).begin !== "function") {
      throw new TypeError('"sql" must be a client made by postgres() (npm:postgres)');
    }
    const schema = checkSchema(options.schema);
    return await PostgresAuditLog.#open(sql as Sql, schema, false, options);
  }

  static async #open(
    sql: Sql,
    schema: string,
    owned: boolean,
    options: AuditLogOptions,
  ): Promise<PostgresAuditLog> {
    const log = new PostgresAuditLog(sql, schema, owned, options);
    // One replica at a time: concurrent "create … if not exists" can collide.
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${`easy-oauth audit ${schema}`}))`;
      await tx.unsafe(SCHEMA(schema));
    });
    return log;
  }

  /** Appends `record` (and drops the entries past the retention); returns it with its `seq`. */
  append(record: AuditRecord): Promise<AuditEntry> {
    const sql = this.#sql;
    const table = sql(this.schema);
    return reaching("record an audit entry", async () => {
      await sql`delete from ${table}.audit where at < ${this.#clock() - this.#retention}`;
      const [row] = await sql`
        insert into ${table}.audit (at, kind, account, actor, entry)
        values (${record.at}, ${record.kind}, ${record.account}, ${record.actor.email},
                ${sql.json(JSON.parse(JSON.stringify(record)))})
        returning seq`;
      return { ...structuredClone(record), seq: Number(row.seq) };
    });
  }

  /** The entries that match, newest first (one range of an index). */
  async query(query: AuditQuery): Promise<AuditPage> {
    const limit = pageSize(query);
    const start = parseCursor(query.cursor);
    const sql = this.#sql;
    const oldest = this.#clock() - this.#retention;
    let where = sql`at >= ${query.since === undefined ? oldest : Math.max(oldest, query.since)}`;
    if (query.account !== undefined) where = sql`${where} and account = ${query.account}`;
    if (query.actor !== undefined) where = sql`${where} and actor = ${query.actor}`;
    if (query.until !== undefined) where = sql`${where} and at < ${query.until}`;
    if (start !== undefined) where = sql`${where} and (at, seq) < (${start.at}, ${start.seq})`;
    if (query.kinds !== undefined) {
      where = query.kinds.length === 0
        ? sql`${where} and false`
        : sql`${where} and kind in ${sql([...query.kinds])}`;
    }
    const rows = await reaching("read the audit trail", () =>
      sql`
        select seq, entry from ${sql(this.schema)}.audit where ${where}
        order by at desc, seq desc limit ${limit + 1}`);
    const entries: AuditEntry[] = rows.slice(0, limit).map((row) => ({
      ...(row.entry as AuditRecord),
      seq: Number(row.seq),
    }));
    const page: AuditPage = { entries };
    if (rows.length > limit) page.next = cursorAfter(entries[entries.length - 1]);
    return page;
  }

  /** Ends the pool when `connect` made it. */
  async close(): Promise<void> {
    if (this.#owned) await this.#sql.end({ timeout: 1 });
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function checkSchema(schema: unknown = "easy_oauth"): string {
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new TypeError('"schema" must be a lower-case identifier like "easy_oauth"');
  }
  return schema;
}
