/**
 * The capability store of `PostgresStore`.
 *
 * @module
 */
import type { CapabilityStore } from "../src/stores/capability_store.ts";
import { frozenUpdate, sameList } from "../src/stores/_lists.ts";
import { MAX_PAYLOAD, reaching, type Sql } from "./_sql.ts";

type List = readonly string[] | undefined;

/** One account as a replica knows it; `list` undefined: deleted, kept to order changes. */
interface Row {
  list: List;
  rev: number;
}

/**
 * A `CapabilityStore` in PostgreSQL (`pg.capabilities` of a `PostgresStore`).
 * Reads come from this replica's memory; `update` is a compare-and-set on the
 * account's revision (one statement), published to every replica with `NOTIFY`. While the
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
      } else if (await reaching("change capabilities", () => this.#write(email, next, row.rev))) {
        this.#apply(email, next, row.rev + 1);
        return next;
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

  /** Writes `list` as revision `known + 1` if the stored one is `known`, and publishes it. */
  async #write(email: string, list: List, known: number): Promise<boolean> {
    const s = `"${this.#schema}"`;
    const rows = await this.#sql.unsafe(
      `with w as (
         insert into ${s}.capabilities as c (email, capabilities, rev) values ($1, $2, $3 + 1)
         on conflict (email) do update
         set capabilities = excluded.capabilities, rev = excluded.rev, changed_at = now()
         where c.rev = $3
         returning rev)
       select pg_notify($4, $5) from w`,
      [email, list ? [...list] : null, known, this.#channel, payload(email, list, known + 1)],
    );
    if (rows.length === 1 && list === undefined) {
      await this.#sql.unsafe(
        `delete from ${s}.capabilities
         where capabilities is null and changed_at < now() - interval '1 day'`,
      );
    }
    return rows.length === 1;
  }

  /**
   * A change published by a replica (maybe this one), as `update` sends it.
   * @ignore
   */
  message(change: { e: string; l?: string[] | null; r: number }, fetch: () => void): void {
    if (!("l" in change)) {
      if ((this.#rows.get(change.e)?.rev ?? 0) < change.r) fetch();
      return;
    }
    this.#apply(change.e, change.l ? Object.freeze([...change.l]) : undefined, change.r);
  }

  /**
   * Replaces the whole view with what the database holds (at start and after a reconnection).
   * @ignore
   */
  async reload(sql: Sql): Promise<void> {
    const rows = await sql.unsafe(
      `select email, capabilities, rev from "${this.#schema}".capabilities order by pos`,
    );
    const next = new Map<string, Row>();
    for (const row of rows) {
      const list = row.capabilities ? Object.freeze([...row.capabilities]) : undefined;
      next.set(row.email, { list, rev: Number(row.rev) });
    }
    this.#rows = next;
    this.#version++;
  }

  #apply(email: string, list: List, rev: number): void {
    const row = this.#rows.get(email);
    if (row !== undefined && row.rev >= rev) return;
    this.#rows.set(email, { list, rev });
    this.#version++;
  }
}

function payload(email: string, list: List, rev: number): string {
  const full = JSON.stringify({ k: "c", e: email, l: list ?? null, r: rev });
  return full.length <= MAX_PAYLOAD ? full : JSON.stringify({ k: "c", e: email, r: rev });
}
