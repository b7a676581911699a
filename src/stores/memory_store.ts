/**
 * A capability store in memory.
 *
 * @module
 */
import type { CapabilityStore } from "./capability_store.ts";
import { frozenList, frozenUpdate, sameList } from "./_lists.ts";

/**
 * A `CapabilityStore` kept in memory: what `CapabilitySet` uses when given
 * neither `userFile` nor `store`, and a handy store for tests. Its content is
 * lost when the process ends.
 *
 * @example
 * ```ts
 * import { MemoryCapabilityStore } from "@easy-oauth/hono";
 *
 * const store = new MemoryCapabilityStore({ "ann@example.com": ["write"] });
 * await store.update("bob@example.com", (current) => [...(current ?? []), "read"]);
 * await store.get("bob@example.com"); // ["read"]
 * ```
 */
export class MemoryCapabilityStore implements CapabilityStore {
  #users = new Map<string, readonly string[]>();
  #version = 0;

  /**
   * Makes a store holding copies of the given accounts.
   *
   * @param initial The accounts to start with, email → capability names.
   * @throws {TypeError} When `initial` is not an object of lists of strings.
   */
  constructor(initial: Readonly<Record<string, readonly string[]>> = {}) {
    if (typeof initial !== "object" || initial === null || Array.isArray(initial)) {
      throw new TypeError('"initial" must be an object mapping emails to lists of capabilities');
    }
    for (const [email, capabilities] of Object.entries(initial)) {
      this.#users.set(email, frozenList(capabilities, `"initial.${email}"`));
    }
  }

  /** Bumped by every change. */
  get version(): number {
    return this.#version;
  }

  /**
   * The stored capabilities of one account.
   *
   * @param email The account.
   * @returns Its list (frozen), or `undefined` when it has no entry.
   */
  get(email: string): Promise<readonly string[] | undefined> {
    return Promise.resolve(this.#users.get(email));
  }

  /**
   * The stored capabilities of one account, without a promise: a memory store
   * always knows them.
   *
   * @param email The account.
   * @returns `{ value }`, where `value` is the list (frozen) or `undefined` when it has no entry.
   * @example
   * ```ts
   * import { MemoryCapabilityStore } from "@easy-oauth/hono";
   *
   * const store = new MemoryCapabilityStore({ "ann@example.com": ["write"] });
   * store.peek("ann@example.com"); // { value: ["write"] }
   * ```
   */
  peek(email: string): { readonly value: readonly string[] | undefined } {
    return { value: this.#users.get(email) };
  }

  /**
   * Every stored account.
   *
   * @returns A copy of the accounts, in insertion order.
   */
  all(): Promise<ReadonlyMap<string, readonly string[]>> {
    return Promise.resolve(new Map(this.#users));
  }

  /**
   * Changes one account; nothing else runs between the read and the write.
   *
   * @param email The account.
   * @param fn Gets the current list, returns the new one or `undefined` to delete the account.
   * @returns The new stored list.
   */
  update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined> {
    try {
      const current = this.#users.get(email);
      const next = frozenUpdate(fn(current));
      if (sameList(current, next)) return Promise.resolve(current);
      if (next === undefined) this.#users.delete(email);
      else this.#users.set(email, next);
      this.#version++;
      return Promise.resolve(next);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
