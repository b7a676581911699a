/**
 * Capabilities: a graph of named permissions where each implies others, and
 * who holds which.
 *
 * @module
 */
import { AccountCache } from "./_account_cache.ts";
import { canonicalEmail } from "../_email.ts";
import { checkEmail, checkName, isRecord, readOverrides } from "./_argument_checks.ts";
import { ADMIN, CapabilityGraph } from "./graph.ts";
import type { CapabilityGuard } from "./guard.ts";
import type { CapabilitySetOptions } from "./options.ts";
import type { CapabilityStore } from "../stores/capability_store.ts";
import { storeFromOptions } from "../stores/_store_option.ts";

/**
 * The capabilities of an app and who holds them. Each capability implies
 * others, transitively; the closures are computed once, at construction, so
 * a check costs one lookup however large the graph.
 *
 * @example
 * ```ts
 * import { CapabilitySet } from "@easy-oauth/hono";
 *
 * const capabilities = new CapabilitySet({
 *   graph: { read: [], write: ["read"], moderate: ["write"] },
 *   defaultCapabilities: ["read"],
 * });
 * await capabilities.add("ann@example.com", "moderate");
 * await capabilities.check("ann@example.com", "read"); // true
 * await capabilities.check("bob@example.com", "write"); // false
 * await capabilities.check(null, "read"); // false: guests hold nothing
 * ```
 */
export class CapabilitySet {
  /** Every capability, in graph order, `admin` last when `autoAdmin`. */
  readonly names: readonly string[];
  /** Where users' capabilities are kept. */
  readonly store: CapabilityStore;
  readonly #graph: CapabilityGraph;
  readonly #guest: ReadonlySet<string>;
  readonly #authenticated: ReadonlySet<string>;
  readonly #overrides: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #cache = new AccountCache();
  /** The entries whose key is not in canonical form, by canonical form, as of a store version. */
  #keys: { version: number; mixed: Map<string, string> } | undefined;

  /**
   * Checks every option and computes the closures; reads no file.
   *
   * @param options See `CapabilitySetOptions`.
   * @throws {TypeError} On a bad option, naming it and the capability: an
   *   unknown capability, a cycle, a bad name, `admin` defined with `autoAdmin`.
   */
  constructor(options: CapabilitySetOptions) {
    if (!isRecord(options)) throw new TypeError('"options" must be an object');
    const { autoAdmin = true } = options;
    if (typeof autoAdmin !== "boolean") throw new TypeError('"autoAdmin" must be a boolean');
    const graph = this.#graph = new CapabilityGraph(options.graph, autoAdmin);
    this.names = graph.names;
    const guests = graph.list(options.guestCapabilities, "guestCapabilities");
    const defaults = graph.list(options.defaultCapabilities, "defaultCapabilities");
    this.#guest = graph.closureOf(guests);
    this.#authenticated = graph.closureOf([...guests, ...defaults]);
    this.#overrides = readOverrides(graph, options.userOverrides, this.#authenticated);
    this.store = storeFromOptions(options.userFile, options.store, graph);
  }

  /**
   * Whether a capability exists (for validating names before `check`).
   *
   * @param name A capability name.
   * @returns Whether the set defines it.
   */
  has(name: string): boolean {
    return this.#graph.has(name);
  }

  /**
   * The closure of a capability: itself and everything it implies,
   * transitively. Computed at construction (the same `Set` every time).
   *
   * @param capability A capability name.
   * @returns The closure, including `capability`.
   * @throws {TypeError} When the capability is unknown.
   */
  implied(capability: string): ReadonlySet<string> {
    const closure = this.#graph.closures.get(capability);
    if (closure === undefined) throw new TypeError(this.#graph.unknown(capability));
    return closure;
  }

  /**
   * The graph as given, plus `admin` (implying every other capability) when
   * `autoAdmin`: what `/manage_capabilities/users` answers.
   *
   * @returns A fresh, JSON-ready copy.
   */
  graphJson(): Record<string, string[]> {
    const { edges, autoAdmin } = this.#graph;
    const entries: [string, string[]][] = [];
    for (const [name, implies] of edges) entries.push([name, [...implies]]);
    if (autoAdmin) entries.push([ADMIN, [...edges.keys()]]);
    // fromEntries defines own properties, so a capability named "__proto__" stays data.
    return Object.fromEntries(entries);
  }

  /**
   * Whether a user holds a capability, through their stored capabilities,
   * overrides, the default and the guest capabilities, and what they imply.
   *
   * @param email The user, or `null` for an unauthenticated request (a guest).
   * @param capability A capability name.
   * @returns Whether the capability is held.
   * @throws {TypeError} When the capability is unknown.
   */
  check(email: string | null, capability: string): Promise<boolean> {
    // Not async, and no effective set built: this runs on every protected request.
    if (!this.#graph.has(capability)) {
      return Promise.reject(new TypeError(this.#graph.unknown(capability)));
    }
    if (email === null) return Promise.resolve(this.#guest.has(capability));
    if ((this.#overrides.get(canonicalEmail(email)) ?? this.#authenticated).has(capability)) {
      return Promise.resolve(true);
    }
    return this.#stored(email, capability);
  }

  /**
   * `check` without a promise, when the answer is known right now: `undefined`
   * when the store must be asked (see `CapabilityStore.peek`). For the request
   * hot path; the capability must be known (`has`).
   */
  checkNow(email: string | null, capability: string): boolean | undefined {
    if (email === null) return this.#guest.has(capability);
    if ((this.#overrides.get(canonicalEmail(email)) ?? this.#authenticated).has(capability)) {
      return true;
    }
    const key = this.#keyNow(email);
    if (key === undefined) return undefined;
    const peeked = this.store.peek?.(key);
    if (peeked === undefined) return undefined;
    const closures = this.#graph.closures;
    return peeked.value?.some((name) => closures.get(name)?.has(capability)) ?? false;
  }

  /** Whether a stored capability of `email` implies `capability`. */
  async #stored(email: string, capability: string): Promise<boolean> {
    const stored = await this.store.get(await this.#key(email));
    const closures = this.#graph.closures;
    return stored?.some((name) => closures.get(name)?.has(capability)) ?? false;
  }

  /**
   * Every capability a user holds, closures applied.
   *
   * @param email The user, or `null` for a guest.
   * @returns The capabilities (do not modify: the set may be cached and shared).
   */
  async effective(email: string | null): Promise<ReadonlySet<string>> {
    if (email === null) return this.#guest;
    const base = this.#overrides.get(canonicalEmail(email)) ?? this.#authenticated;
    const key = await this.#key(email);
    const version = this.store.version;
    const stored = await this.store.get(key);
    if (stored === undefined || stored.length === 0) return base;
    // Cache only what was read while the store did not change.
    if (this.store.version !== version) return this.#graph.closureOf(stored, base);
    return this.#cache.get(version, key, () => this.#graph.closureOf(stored, base));
  }

  /**
   * The capabilities stored for a user: not overrides nor defaults, and
   * before implications are applied.
   *
   * @param email The user.
   * @returns A copy of the stored list, `[]` when the user has no entry.
   */
  async get(email: string): Promise<string[]> {
    return [...((await this.store.get(await this.#key(email))) ?? [])];
  }

  /**
   * The store's key for an account, emails compared lowercased: an entry
   * `Ann@Example.com` of an existing file is the account `ann@example.com`;
   * `undefined` when the store changed since the keys were last read.
   */
  #keyNow(email: string): string | undefined {
    const canonical = canonicalEmail(email);
    if (this.#keys?.version !== this.store.version) return undefined;
    return this.#keys.mixed.get(canonical) ?? canonical;
  }

  async #key(email: string): Promise<string> {
    const known = this.#keyNow(email);
    if (known !== undefined) return known;
    const version = this.store.version;
    const all = await this.store.all();
    const mixed = new Map<string, string>();
    for (const key of all.keys()) {
      const canonical = canonicalEmail(key);
      // A lowercase entry wins over a mixed-case one of the same account.
      if (canonical !== key && !all.has(canonical) && !mixed.has(canonical)) {
        mixed.set(canonical, key);
      }
    }
    if (this.store.version === version) this.#keys = { version, mixed };
    return mixed.get(canonicalEmail(email)) ?? canonicalEmail(email);
  }

  /**
   * Every stored account.
   *
   * @returns Each email and its stored capabilities (copies), in store order.
   */
  async users(): Promise<Map<string, string[]>> {
    const all = await this.store.all();
    return new Map([...all].map(([email, list]) => [email, [...list]]));
  }

  /**
   * Replaces a user's stored capabilities. Those already stored keep their
   * place; new ones are appended; duplicates are dropped.
   *
   * @param email The user.
   * @param capabilities The capabilities to store.
   * @param guard Checks the change under the store's serialization; throws to refuse it.
   * @returns The new stored list.
   * @throws {CapabilityError} On a bad email or an unknown capability.
   */
  async set(
    email: string,
    capabilities: readonly string[],
    guard?: CapabilityGuard,
  ): Promise<string[]> {
    checkEmail(email);
    if (!Array.isArray(capabilities)) throw new TypeError('"capabilities" must be a list');
    const wanted = [...new Set(capabilities.map((name) => checkName(this.#graph, name)))];
    return await this.#update(email, (current = []) => {
      const kept = [...new Set(current)].filter((name) => wanted.includes(name));
      return [...kept, ...wanted.filter((name) => !kept.includes(name))];
    }, guard);
  }

  /**
   * Stores one more capability for a user (nothing changes if it is there).
   *
   * @param email The user.
   * @param capability The capability to add.
   * @param guard Checks the change under the store's serialization; throws to refuse it.
   * @returns The new stored list.
   * @throws {CapabilityError} On a bad email or an unknown capability.
   */
  async add(email: string, capability: string, guard?: CapabilityGuard): Promise<string[]> {
    checkEmail(email);
    checkName(this.#graph, capability);
    return await this.#update(email, (current = []) => {
      return current.includes(capability) ? current : [...current, capability];
    }, guard);
  }

  /**
   * Removes a stored capability from a user. Overrides and defaults are not
   * stored, so they stay; an account left with none stays, as `[]`.
   *
   * @param email The user.
   * @param capability The capability to remove.
   * @param guard Checks the change under the store's serialization; throws to refuse it.
   * @returns The new stored list.
   * @throws {CapabilityError} On a bad email or an unknown capability.
   */
  async remove(email: string, capability: string, guard?: CapabilityGuard): Promise<string[]> {
    checkEmail(email);
    checkName(this.#graph, capability);
    return await this.#update(email, (current) => {
      return current?.filter((name) => name !== capability);
    }, guard);
  }

  /** One read-check-write in the store: `guard` sees the change before it is written. */
  async #update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
    guard: CapabilityGuard | undefined,
  ): Promise<string[]> {
    const checked = guard === undefined ? fn : (current: readonly string[] | undefined) => {
      const next = fn(current);
      const base = this.#overrides.get(canonicalEmail(email)) ?? this.#authenticated;
      guard({
        email,
        current: current ?? [],
        next: next ?? [],
        held: this.#graph.closureOf(current ?? [], base),
      });
      return next;
    };
    return [...((await this.store.update(await this.#key(email), checked)) ?? [])];
  }
}
