// The token store of an OAuthManager: the one given, or the default.
import type { CapabilityStore } from "./capability_store.ts";
import { FileCapabilityStore } from "./file_store.ts";
import { TOKEN_STORE_METHODS, type TokenStore } from "./token_store.ts";
import { MemoryTokenStore } from "./memory_token_store.ts";
import { SqliteStore } from "./sqlite_store.ts";

/**
 * The given store, else a SQLite file beside the capability file (`caps.yaml`
 * → `caps.db`, importing the `caps.tokens.json` of earlier versions once),
 * else memory.
 *
 * @throws {TypeError} When `given` is not a TokenStore, naming the option.
 */
export function tokenStore(
  given: unknown,
  capabilities: CapabilityStore,
  clock: () => number,
  log: (message: string) => void,
): TokenStore {
  if (given !== undefined) {
    const methods = TOKEN_STORE_METHODS;
    const ok = typeof given === "object" && given !== null &&
      methods.every((m) => typeof (given as Record<string, unknown>)[m] === "function");
    if (!ok) throw new TypeError(`"tokenStore" must be a TokenStore (${methods.join(", ")})`);
    return given as TokenStore;
  }
  const store = capabilities;
  if (!(store instanceof FileCapabilityStore)) return new MemoryTokenStore({ clock });
  const base = store.file.replace(/(\.ya?ml)?$/i, "");
  return new SqliteStore(`${base}.db`, { clock, importFrom: `${base}.tokens.json`, log });
}
