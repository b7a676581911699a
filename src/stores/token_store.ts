/**
 * Where revocations and the list of issued API tokens are kept, so that they
 * survive a restart: in memory, or in a JSON file beside the capability file.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { atomicWrite, errorCode, removeStaleTemps } from "./_atomic_write.ts";
import { ConfigError } from "../errors.ts";

/**
 * An API token as listed by `GET /token/api` (never the token itself).
 *
 * @example
 * ```ts
 * import type { ApiTokenRecord } from "@easy-oauth/hono";
 * const record: ApiTokenRecord = {
 *   id: "k3J…", name: "ci-deploy", capabilities: ["write"], expires_at: 1767225600,
 *   created_by: "admin@example.com", created_at: 1767139200,
 * };
 * ```
 */
export interface ApiTokenRecord {
  /** The token's id (its `jti`). */
  id: string;
  /** The label given when it was made. */
  name: string;
  /** The capabilities it was limited to, as asked. */
  capabilities: string[];
  /** When it expires (seconds since the epoch). */
  expires_at: number;
  /** Who made it. */
  created_by: string;
  /** When it was made (seconds since the epoch). */
  created_at: number;
}

/**
 * Everything a `TokenStore` keeps.
 *
 * @example
 * ```ts
 * import type { TokenState } from "@easy-oauth/hono";
 * const empty: TokenState = { revoked_ids: {}, revoked_accounts: {}, api_tokens: {} };
 * ```
 */
export interface TokenState {
  /** Revoked token or session id → when it would have expired anyway (epoch ms). */
  revoked_ids: Record<string, number>;
  /** Account → tokens it was issued at or before this time (seconds) are revoked. */
  revoked_accounts: Record<string, number>;
  /** Issued API tokens by id. */
  api_tokens: Record<string, ApiTokenRecord>;
}

/**
 * The storage of revocations and API tokens. `update` must be atomic with
 * respect to other updates of the same store.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, type TokenStore } from "@easy-oauth/hono";
 * const store: TokenStore = new MemoryTokenStore();
 * await store.update((state) => ({ ...state, revoked_ids: { ...state.revoked_ids, abc: Date.now() + 1000 } }));
 * ```
 */
export interface TokenStore {
  /** Reads the whole state. */
  load(): Promise<TokenState>;
  /** Reads, changes and writes the state atomically; returns the new state. */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState>;
}

function empty(): TokenState {
  return {
    revoked_ids: Object.create(null),
    revoked_accounts: Object.create(null),
    api_tokens: Object.create(null),
  };
}

/**
 * A `TokenStore` in memory: revocations last as long as the process.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from "@easy-oauth/hono";
 * const store = new MemoryTokenStore();
 * (await store.load()).api_tokens; // {}
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  #state: TokenState = empty();

  /** The current state. */
  load(): Promise<TokenState> {
    return Promise.resolve(structuredClone(this.#state));
  }

  /** Applies `fn` to the state. */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    this.#state = structuredClone(fn(structuredClone(this.#state)));
    return this.load();
  }
}

/**
 * A `TokenStore` in a JSON file, written atomically (temporary file, fsync,
 * rename) and serialized in process. A missing file is an empty state.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from "@easy-oauth/hono";
 * const store = new FileTokenStore("caps.tokens.json");
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The file. */
  readonly file: string;
  #queue: Promise<unknown> = Promise.resolve();
  #cleaned = false;

  /**
   * Names the file; reads nothing yet.
   *
   * @param file The JSON file (created on the first write).
   * @throws {TypeError} When `file` is not a non-empty string.
   */
  constructor(file: string) {
    if (typeof file !== "string" || file === "") {
      throw new TypeError('"file" must be a non-empty path');
    }
    this.file = file;
  }

  /**
   * Reads the file.
   *
   * @throws {ConfigError} When it is not a valid state.
   */
  async load(): Promise<TokenState> {
    if (!this.#cleaned) {
      this.#cleaned = true;
      await removeStaleTemps(this.file);
    }
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return empty();
      throw error;
    }
    return parseState(text, this.file);
  }

  /** Re-reads the file, applies `fn`, writes the result atomically. */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    const run = this.#queue.then(async () => {
      const next = fn(await this.load());
      // Compact: the whole file is rewritten on each change.
      await atomicWrite(this.file, JSON.stringify(next) + "\n", 0o600);
      return next;
    });
    this.#queue = run.catch(() => {});
    return run;
  }
}

function parseState(text: string, file: string): TokenState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError("is not valid JSON", { file, cause });
  }
  const state = empty();
  const record = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!record(value)) throw new ConfigError("must hold a JSON object", { file });
  for (const key of ["revoked_ids", "revoked_accounts", "api_tokens"] as const) {
    const part = value[key] ?? {};
    if (!record(part)) throw new ConfigError("must be an object", { file, path: [key] });
    for (const [k, v] of Object.entries(part)) {
      const ok = key === "api_tokens"
        ? record(v) && typeof v.name === "string"
        : typeof v === "number";
      if (!ok) throw new ConfigError("has an invalid entry", { file, path: [key, k] });
      (state[key] as Record<string, unknown>)[k] = v;
    }
  }
  return state;
}
