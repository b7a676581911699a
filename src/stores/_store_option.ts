// The store behind a CapabilitySet, from its `userFile` and `store` options.
import { ConfigError } from "../errors.ts";
import { invalidEmailMessage } from "../_email.ts";
import type { CapabilityStore } from "./capability_store.ts";
import { FileCapabilityStore } from "./file_store.ts";
import { MemoryCapabilityStore } from "./memory_store.ts";

/** What the store needs to know of the capabilities: which exist, and the message for the others. */
export interface KnownCapabilities {
  has(name: string): boolean;
  unknown(name: string): string;
}

/**
 * `store`, or a `FileCapabilityStore` for `userFile` whose files may only
 * hold valid emails (as `CapabilitySet.add` checks them) with known
 * capabilities, or else a `MemoryCapabilityStore`.
 *
 * @throws {TypeError} When both are given or either is malformed, naming the option.
 */
export function storeFromOptions(
  userFile: unknown,
  store: unknown,
  known: KnownCapabilities,
): CapabilityStore {
  if (userFile !== undefined && store !== undefined) {
    throw new TypeError('"userFile" and "store" cannot both be given');
  }
  if (store !== undefined) {
    if (!isStore(store)) {
      throw new TypeError('"store" must be a CapabilityStore (get, all, update, version)');
    }
    return store;
  }
  if (userFile === undefined) return new MemoryCapabilityStore();
  if (!(userFile instanceof URL) && (typeof userFile !== "string" || userFile === "")) {
    throw new TypeError('"userFile" must be a non-empty path or a file: URL');
  }
  const fileStore: FileCapabilityStore = new FileCapabilityStore(userFile, {
    validate: (users) => {
      for (const [email, list] of users) {
        const invalid = invalidEmailMessage(email);
        if (invalid !== null) {
          throw new ConfigError(invalid, { file: fileStore.file, path: [email] });
        }
        const unknown = list.find((name) => !known.has(name));
        if (unknown === undefined) continue;
        throw new ConfigError(known.unknown(unknown), { file: fileStore.file, path: [email] });
      }
    },
  });
  return fileStore;
}

function isStore(value: unknown): value is CapabilityStore {
  if (typeof value !== "object" || value === null) return false;
  const store = value as Record<string, unknown>;
  return ["get", "all", "update"].every((method) => typeof store[method] === "function");
}
