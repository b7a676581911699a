// What a caller of `CapabilitySet.set`, `add` or `remove` may check before the
// store writes: the change and a hook that refuses it.

/**
 * What a guard of `CapabilitySet.set`, `add` or `remove` is shown: the
 * account as stored before and after the change, read under the store's
 * serialization (a transaction in a database).
 *
 * @example
 * ```ts
 * import type { CapabilityChange } from "@easy-oauth/hono";
 * const change: CapabilityChange = {
 *   email: "ann@example.com",
 *   current: ["read"],
 *   next: ["read", "write"],
 *   held: new Set(["read"]),
 * };
 * ```
 */
export interface CapabilityChange {
  /** The account changed. */
  readonly email: string;
  /** Its stored capabilities before the change (`[]` when it has no entry). */
  readonly current: readonly string[];
  /** Its stored capabilities after the change. */
  readonly next: readonly string[];
  /** Everything it holds before the change: closures, overrides and defaults applied. */
  readonly held: ReadonlySet<string>;
}

/**
 * Checks a change under the store's serialization and throws to refuse it:
 * then nothing is written and the error reaches the caller of `set`, `add`
 * or `remove` unchanged.
 *
 * @example
 * ```ts
 * import { CapabilitySet, type CapabilityGuard } from "@easy-oauth/hono";
 *
 * const noAdmins: CapabilityGuard = (change) => {
 *   if (change.held.has("admin")) throw new Error("admins are changed by hand");
 * };
 * const capabilities = new CapabilitySet({ graph: { read: [] } });
 * await capabilities.add("ann@example.com", "read", noAdmins);
 * ```
 */
export type CapabilityGuard = (change: CapabilityChange) => void;
