/**
 * The storage interface behind `CapabilitySet`: who holds which capabilities.
 *
 * @module
 */

/**
 * Where the capabilities of each account are kept. `MemoryCapabilityStore`
 * and `FileCapabilityStore` implement it; implement it yourself to keep them
 * in a database. Stored lists may name capabilities that `CapabilitySet`
 * validated; a store does not need to know the graph.
 *
 * @example
 * ```ts
 * import { CapabilitySet, type CapabilityStore, MemoryCapabilityStore } from "@easy-oauth/hono";
 *
 * const store: CapabilityStore = new MemoryCapabilityStore({ "ann@example.com": ["write"] });
 * const capabilities = new CapabilitySet({ graph: { read: [], write: ["read"] }, store });
 * await capabilities.check("ann@example.com", "read"); // true
 * ```
 */
export interface CapabilityStore {
  /**
   * The stored capabilities of one account, or `undefined` when it has no
   * entry. Called on the request hot path: it must be fast (memory).
   */
  get(email: string): Promise<readonly string[] | undefined>;
  /**
   * The stored capabilities of `email` when they are known right now without I/O:
   * `{ value }` (value undefined = no entry), or `undefined` when the caller must use `get()`
   * (not loaded yet, a stat() is due, a reload failed…). Lets the request hot path skip promises.
   * Optional: without it, callers use `get()`.
   */
  peek?(email: string): { readonly value: readonly string[] | undefined } | undefined;
  /** Every stored account, in storage (file) order. */
  all(): Promise<ReadonlyMap<string, readonly string[]>>;
  /**
   * Atomically reads, changes and writes one account: `fn` gets the current
   * list and returns the new one, or `undefined` to delete the account. `fn`
   * runs under the store's serialization (a transaction in a database), so
   * that a check it makes holds when the result is written; it may throw to
   * abort, and then nothing is written and the promise rejects with that
   * error unchanged. A store may also serialize by compare-and-set and call
   * `fn` again on a newer list when another process wrote meanwhile (the
   * PostgreSQL store does): `fn` must be free of side effects.
   *
   * @returns The new stored list (`undefined` when deleted).
   */
  update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined>;
  /**
   * A number that changes whenever the data may have changed (own writes and
   * reloads), so that callers can cache what they derive from it.
   */
  readonly version: number;
}
