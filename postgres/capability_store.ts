/**
 * The capability store of `PostgresStore`.
 *
 * @module
 */
import type { CapabilityStore } from "../src/stores/capability_store.ts";
import { frozenUpdate, sameList } from "../src/stores/_lists.ts";
import { reaching, type Sql } from "./_sql.ts";

type List = readonly string[] | undefined;

/** One account as a replica knows it; `list` undefined: deleted, kept to order changes. */
interface Row {
  list: List;
  rev: number;
}

/**
 * A `CapabilityStore` in PostgreSQL (`pg.capabilities` of a `PostgresStore`).
 * Reads come from this replica's memory; `update` is a compare-and-set on the
 * account's revision (one statement). Every write gives its row the next
 * revision of one counter, so the rows are their own change log: a replica
 * catches up by reading the rows after the revision it has, from the table,
 * when a `NOTIFY` says there may be some. The notification is a hint, never
 * state: forged ones cost a coalesced read that finds nothing. While the
 * database cannot be reached, reads keep answering from memory and `update`
 * rejects with a `StoreUnavailable` (a 503).
 *
 * @example
 * ```ts ignore
 * import { PostgresStore } from "@easy-oauth/hono/postgres";
 *
 * await using pg = await PostgresStore.connect("postgres://localhost/app");
 * await pg.capabilities.update("ann@example.com", (current = []) => [...current, "write"]);
 * pg.capabilities.peek("ann@example.com"); // { value: ["write"] }
 * ```
 */
export class PostgresCapabilityStore implements CapabilityStore {
  readonly #sql: Sql;
  readonly #schema: string;
  readonly #channel: string;
  #rows = new Map<string, Row>();
  #queues = new Map<string, Promise<void>>();
  #version = 0;
  /** Every row up to this revision is in `#rows`. */
  #rev = 0;
  #reading: Promise<void> | undefined;
  #again = false;

  /**
   * Made by `PostgresStore`; not meant to be constructed by hand.
   * @ignore
   */
  constructor(sql: Sql, schema: string, channel: string) {
    this.#sql = sql;
    this.#schema = schema;
    this.#channel = channel;
  }

  /** Bumped by every change this replica learns of (its own and the others'). */
  get version(): number {
    return this.#version;
  }

  /**
   * The stored capabilities of one account, from memory.
   *
   * @param email The account.
   * @returns Its list (frozen), or `undefined` when it has no entry.
   */
  get(email: string): Promise<readonly string[] | undefined> {
    return Promise.resolve(this.#rows.get(email)?.list);
  }

  /**
   * The same as `get`, without a promise: a replica always knows its accounts.
   *
   * @param email The account.
   * @returns `{ value }`, the list (frozen) or `undefined` when it has no entry.
   */
  peek(email: string): { readonly value: readonly string[] | undefined } {
    return { value: this.#rows.get(email)?.list };
  }

  /**
   * Every stored account, in the order they were first stored.
   *
   * @returns A copy, email → capabilities.
   */
  all(): Promise<ReadonlyMap<string, readonly string[]>> {
    const all = new Map<string, readonly string[]>();
    for (const [email, { list }] of this.#rows) if (list) all.set(email, list);
    return Promise.resolve(all);
  }

  /**
   * Changes one account atomically: `fn` runs on the current list and the
   * result is written in one statement if no replica wrote the account
   * meanwhile, else `fn` runs again on the newer list (compare-and-set on the
   * account's revision), so that concurrent updates from any replica are
   * applied one after the other and none is lost. `fn` may throw to abort
   * (nothing is written, the error propagates unchanged).
   *
   * @param email The account.
   * @param fn Gets the current list, returns the new one or `undefined` to delete the account.
   * @returns The new stored list.
   * @throws {StoreUnavailable} When the database cannot be reached.
   */
  async update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined> {
    // One update per account at a time in this replica: the compare-and-set
    // then only races with other replicas.
    const previous = this.#queues.get(email) ?? Promise.resolve();
    const run = previous.then(() => this.#update(email, fn));
    const settled = run.then(() => {}, () => {});
    this.#queues.set(email, settled);
    settled.then(() => {
      if (this.#queues.get(email) === settled) this.#queues.delete(email);
    });
    return await run;
  }

  async #update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined> {
    // Compare-and-set on the account's revision, one statement per attempt:
    // first on this replica's view, then on a fresh read when another replica
    // wrote. "Nothing to change" is only trusted on a fresh read: this view
    // may not have heard of a change yet.
    let row: Row = this.#rows.get(email) ?? { list: undefined, rev: 0 };
    let fresh = false;
    for (;;) {
      const next = frozenUpdate(fn(row.list));
      if (sameList(row.list, next)) {
        if (fresh) return row.list;
      } else {
        const rev = await reaching("change capabilities", () => this.#write(email, next, row.rev));
        if (rev !== undefined) {
          this.#apply(email, next, rev);
          return next;
        }
      }
      row = await reaching("change capabilities", () => this.#read(email));
      fresh = true;
    }
  }

  async #read(email: string): Promise<Row> {
    const [row] = await this.#sql.unsafe(
      `select capabilities, rev from "${this.#schema}".capabilities where email = $1`,
      [email],
    );
    if (row === undefined) return { list: undefined, rev: 0 };
    return {
      list: row.capabilities ? Object.freeze([...row.capabilities]) : undefined,
      rev: Number(row.rev),
    };
  }

  /**
   * Writes `list` if the account's stored revision is `known` (0: none), under
   * the next revision of the counter, and wakes the replicas; the revision
   * written, or undefined when another write came first.
   */
  async #write(email: string, list: List, known: number): Promise<number | undefined> {
    const s = `"${this.#schema}"`;
    const rows = await this.#sql.unsafe(
      `with bump as (update ${s}.revisions set rev = rev + 1
                     where name = 'capabilities' returning rev),
       w as (insert into ${s}.capabilities as c (email, capabilities, rev)
             select $1, $2, rev from bump
             on conflict (email) do update
             set capabilities = excluded.capabilities, rev = excluded.rev, changed_at = now()
             where c.rev = $3
             returning rev)
       select rev, pg_notify($4, 'c ' || rev) from w`,
      [email, list ? [...list] : null, known, this.#channel],
      { prepare: true },
    );
    if (rows.length === 1 && list === undefined) {
      // Deleted accounts are kept a day so that replicas read the deletion; then
      // the horizon moves past them (a replica further behind reloads).
      await this.#sql.unsafe(
        `with gone as (delete from ${s}.capabilities
                       where capabilities is null and changed_at < now() - interval '1 day'
                       returning rev)
         update ${s}.revisions set horizon = greatest(horizon, (select max(rev) from gone))
         where name = 'capabilities' and exists (select 1 from gone)`,
      );
    }
    return rows.length === 1 ? Number(rows[0]!.rev) : undefined;
  }

  /**
   * Told by the change feed that rows after revision `rev` (when the hint
   * says one) may exist: reads them, one read at a time, hints that come
   * meanwhile folded into one more read. A hint is never trusted for more.
   * @ignore
   */
  hinted(rev?: number): void {
    if (rev !== undefined && rev <= this.#rev) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = this.catchUp().catch(() => {
      // The feed's reconnection catches up again.
    }).finally(() => {
      this.#reading = undefined;
      if (this.#again) {
        this.#again = false;
        this.hinted();
      }
    });
  }

  /**
   * Reads the rows written after the revision this replica has (an index
   * range: it costs what changed), or everything when it fell behind the
   * deleted accounts pruned meanwhile.
   * @ignore
   */
  async catchUp(): Promise<void> {
    const s = `"${this.#schema}"`;
    const [head] = await this.#sql.unsafe(
      `select r.rev, r.horizon,
         (select coalesce(jsonb_agg(jsonb_build_array(email, capabilities, rev) order by rev), '[]')
          from ${s}.capabilities where rev > $1) as rows
       from ${s}.revisions r where name = 'capabilities'`,
      [this.#rev],
      { prepare: true },
    );
    if (head === undefined) throw new Error("the capability log query returned no row");
    const top = Number(head.rev);
    if (this.#rev < Number(head.horizon) || this.#rev > top) return await this.reload();
    for (const [email, list, rev] of head.rows as [string, string[] | null, number][]) {
      this.#apply(email, list ? Object.freeze([...list]) : undefined, Number(rev));
    }
    this.#rev = Math.max(this.#rev, top);
  }

  /**
   * Replaces the whole view with what the database holds (at start, and when it fell behind).
   * @ignore
   */
  async reload(): Promise<void> {
    const s = `"${this.#schema}"`;
    const [head] = await this.#sql.unsafe(
      `select (select rev from ${s}.revisions where name = 'capabilities') as rev,
         (select coalesce(jsonb_agg(jsonb_build_array(email, capabilities, rev) order by pos), '[]')
          from ${s}.capabilities) as rows`,
    );
    if (head === undefined) throw new Error("the capability state query returned no row");
    const next = new Map<string, Row>();
    for (const [email, list, rev] of head.rows as [string, string[] | null, number][]) {
      next.set(email, { list: list ? Object.freeze([...list]) : undefined, rev: Number(rev) });
    }
    this.#rows = next;
    this.#rev = Number(head.rev);
    this.#version++;
  }

  #apply(email: string, list: List, rev: number): void {
    const row = this.#rows.get(email);
    if (row !== undefined && row.rev >= rev) return;
    this.#rows.set(email, { list, rev });
    this.#version++;
  }
}
