// The options of `new CapabilitySet()`, apart from the class so that the
// configuration loader can build them without importing it.
import type { CapabilityStore } from "../stores/capability_store.ts";

/**
 * What `new CapabilitySet(options)` takes: the Python package's
 * `CapabilitySet` arguments, in camelCase.
 *
 * @example
 * ```ts
 * import type { CapabilitySetOptions } from "@easy-oauth/hono";
 *
 * const options: CapabilitySetOptions = {
 *   graph: { read: [], write: ["read"], user_management: [] },
 *   userFile: "caps.yaml",
 *   defaultCapabilities: ["read"],
 * };
 * ```
 */
export interface CapabilitySetOptions {
  /** Each capability and the capabilities it implies (`write: ["read"]`). No cycles. */
  graph: Readonly<Record<string, readonly string[]>>;
  /**
   * Adds an `admin` capability that implies every other one (then `graph`
   * may not define `admin`).
   * @default {true}
   */
  autoAdmin?: boolean | undefined;
  /**
   * The YAML file of each user's capabilities, in the Python package's format
   * (relative paths resolve against the current directory). Unknown
   * capabilities in it are a `ConfigError`.
   */
  userFile?: string | URL | undefined;
  /** Where users' capabilities are kept, instead of `userFile`. Neither: in memory. */
  store?: CapabilityStore | undefined;
  /** Capabilities granted by configuration (never written to the store), by email. */
  userOverrides?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * Capabilities of every authenticated user.
   * @default {[]}
   */
  defaultCapabilities?: readonly string[] | undefined;
  /**
   * Capabilities of unauthenticated requests (authenticated users hold them too).
   * @default {[]}
   */
  guestCapabilities?: readonly string[] | undefined;
}
