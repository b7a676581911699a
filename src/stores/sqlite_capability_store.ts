/**
 * The capability store of `SqliteStore`.
 *
 * @module
 */
import type { CapabilityStore } from "./capability_store.ts";
import type { Connection } from "./_sqlite.ts";
import { append, entries, horizon, sweep } from "./_sqlite_rows.ts";
import { frozenList, frozenUpdate, sameList } from "./_lists.ts";

/** What the capability store shares with its `SqliteStore`. */
export interface SqliteShared {
  connection(): Connection;
  /** The store's hint: changes when the database may hold entries not read yet. */
  hint(): number;
  clock: () => number;
  retention: number;
  /** Tells the store that this one wrote (its hint changes). */
  changed(): void;
}

/** One logged change of an account (`list: null`: deleted). */
interface CapabilityEntry {
  email: string;
  list: readonly string[] | null;
}

/**
 * A `CapabilityStore` in the SQLite file of a `SqliteStore` (`store.capabilities`):
 * one row per account, each change also an entry of the store's log. Each
 * process keeps every account in memory (`get` and `peek` never wait for the
 * file) and catches up by reading the entries after its last revision when
 * another process committed. For apps that outgrow a hand-edited YAML file.
 *
 * @example
 * ```ts
 * import { CapabilitySet, SqliteStore } from "@easy-oauth/hono";
 *
 * using store = new SqliteStore(":memory:");
 * const capabilities = new CapabilitySet({ graph: { read: [], write: ["read"] }, store: store.capabilities });
 * await store.capabilities.update("ann@example.com", () => ["write"]);
 * await capabilities.check("ann@example.com", "read"); // true
 * ```
 */
export class SqliteCapabilityStore implements CapabilityStore {
  readonly #shared: SqliteShared;
  readonly #users = new Map<string, readonly string[]>();
  #revision: number | undefined;
  #seen: number | undefined;
  #version = 0;

  /**
   * Made by `SqliteStore` (its `capabilities`); not meant to be constructed by hand.
   * @ignore
   */
  constructor(shared: SqliteShared) {
    this.#shared = shared;
  }

  /** Bumped by every change this process learns of. */
  get version(): number {
    return this.#version;
  }

  /**
   * The stored capabilities of one account.
   *
   * @throws {StoreUnavailable} When the database cannot be read.
   */
  async get(email: string): Promise<readonly string[] | undefined> {
    if (!this.#current()) {
      const c = this.#shared.connection();
      const hint = this.#shared.hint();
      await c.read(() => this.#pull(c, hint));
    }
    return this.#users.get(email);
  }

  /** The stored capabilities of `email` from memory, or `undefined` when the file could not be read now. */
  peek(email: string): { readonly value: readonly string[] | undefined } | undefined {
    return this.#current() ? { value: this.#users.get(email) } : undefined;
  }

  /** Every stored account, in storage order. */
  async all(): Promise<ReadonlyMap<string, readonly string[]>> {
    await this.get("");
    return new Map(this.#users);
  }

  /**
   * Changes one account in one transaction; `fn` sees the stored list and may
   * throw to abort (nothing is written, the error propagates unchanged).
   *
   * @returns The new stored list.
   * @throws {StoreUnavailable} When the database cannot be written.
   */
  async update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined> {
    const c = this.#shared.connection();
    const now = this.#shared.clock();
    const { next, wrote } = await c.write(() => {
      const row = c.sql("select list from capabilities where email = ?").get(email);
      const current = row ? frozenList(JSON.parse(String(row.list)), "The stored list") : undefined;
      const next = frozenUpdate(fn(current));
      if (sameList(current, next)) return { next: current, wrote: false };
      if (next === undefined) c.sql("delete from capabilities where email = ?").run(email);
      else if (row) {
        c.sql("update capabilities set list = ? where email = ?").run(JSON.stringify(next), email);
      } else {
        c.sql(
          `insert into capabilities (email, list, pos)
           values (?, ?, coalesce((select max(pos) from capabilities), 0) + 1)`,
        ).run(email, JSON.stringify(next));
      }
      append(c, "c", { email, list: next ?? null } satisfies CapabilityEntry, now);
      sweep(c, now, this.#shared.retention);
      return { next, wrote: true };
    });
    if (wrote) {
      this.#shared.changed();
      await this.get(email);
    }
    return next;
  }

  /** Whether the view is current, catching up synchronously when it is not (false: it could not). */
  #current(): boolean {
    const hint = this.#shared.hint();
    if (this.#revision !== undefined && hint === this.#seen) return true;
    try {
      const c = this.#shared.connection();
      c.readNow(() => this.#pull(c, hint));
      return true;
    } catch {
      return false;
    }
  }

  /** Reads what changed after the view's revision (inside a read transaction). */
  #pull(c: Connection, hint: number): void {
    const last = c.revision();
    const since = this.#revision;
    if (since === undefined || since < horizon(c) || since > last) {
      this.#users.clear();
      for (const row of c.sql("select email, list from capabilities order by pos").all()) {
        this.#users.set(String(row.email), Object.freeze(JSON.parse(String(row.list))));
      }
      this.#version++;
    } else {
      for (const entry of entries(c, "c", since, last) as CapabilityEntry[]) {
        if (entry.list === null) this.#users.delete(entry.email);
        else this.#users.set(entry.email, Object.freeze(entry.list));
        this.#version++;
      }
    }
    this.#revision = last;
    this.#seen = hint;
  }
}
