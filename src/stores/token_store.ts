/**
 * Where revocations and the list of issued API tokens are kept, so that they
 * survive a restart: in memory, or in a JSON file beside the capability file.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { withFileLock } from "./_file_lock.ts";
import { atomicWrite, errorCode, fileState, removeStaleTemps } from "./_atomic_write.ts";
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
  /**
   * Reads, changes and writes the state atomically; returns the new state.
   * `fn` may be called again on a newer state when another process wrote
   * meanwhile (a compare-and-set store), so it must be free of side effects.
   */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState>;
  /**
   * Optional, for stores shared by several processes: a number that changes
   * whenever another process may have changed the state, so that the manager
   * loads it again (read on every request: it must be a plain field).
   */
  readonly version?: number;
  /**
   * Optional, for stores that poll: a promise when a check for other
   * processes' changes is due (the manager awaits it, then compares
   * `version`), `undefined` when the state in memory is current.
   */
  sync?(): Promise<void> | undefined;
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

/** The options of `FileTokenStore`. */
export interface FileTokenStoreOptions {
  /**
   * Milliseconds between two checks (`stat()`) for changes written by other
   * processes (other replicas on the same machine): a revocation made through
   * one process is refused by the others within this delay. `0` checks on
   * every request that needs the state.
   * @default {1000}
   */
  pollInterval?: number;
  /**
   * The time in epoch milliseconds, for the poll.
   * @default {Date.now}
   */
  clock?: () => number;
}

/**
 * A `TokenStore` in a JSON file, written atomically (temporary file, fsync,
 * rename). Safe for several processes on one machine: writes are serialized
 * in process and across processes (a lock file `<file>.lock`, taken over
 * after 10 s when its holder died), each re-reads the file under the lock,
 * and every process notices the others' changes within `pollInterval`. A
 * missing file is an empty state.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from "@easy-oauth/hono";
 * const store = new FileTokenStore("caps.tokens.json", { pollInterval: 250 });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The file. */
  readonly file: string;
  readonly #pollInterval: number;
  readonly #clock: () => number;
  #queue: Promise<unknown> = Promise.resolve();
  #cleaned = false;
  /** The file's signature when last read or written (null: absent), undefined before. */
  #signature: string | null | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<void> | undefined;
  #version = 0;

  /**
   * Names the file; reads nothing yet.
   *
   * @param file The JSON file (created on the first write).
   * @param options See `FileTokenStoreOptions`.
   * @throws {TypeError} When `file` is not a non-empty string, or an option is bad (naming it).
   */
  constructor(file: string, options: FileTokenStoreOptions = {}) {
    if (typeof file !== "string" || file === "") {
      throw new TypeError('"file" must be a non-empty path');
    }
    const { pollInterval = 1000, clock = Date.now } = options;
    if (typeof pollInterval !== "number" || !(pollInterval >= 0)) {
      throw new TypeError('"pollInterval" must be a number of milliseconds, 0 or more');
    }
    if (typeof clock !== "function") throw new TypeError('"clock" must be a function');
    this.file = file;
    this.#pollInterval = pollInterval;
    this.#clock = clock;
  }

  /** Bumped when a check finds that another process changed the file. */
  get version(): number {
    return this.#version;
  }

  /**
   * `undefined` while the last check for other processes' changes is recent
   * enough, else the check (a `stat()`), which never rejects: a file that
   * cannot be read is reported by the `load()` that follows.
   */
  sync(): Promise<void> | undefined {
    if (this.#checking) return this.#checking;
    const now = this.#clock();
    if (now >= this.#checkedAt && now - this.#checkedAt < this.#pollInterval) return undefined;
    this.#checking = fileState(this.file).then(
      (state) => this.#changed(state?.signature ?? null),
      () => this.#changed(undefined),
    ).finally(() => {
      this.#checkedAt = this.#clock();
      this.#checking = undefined;
    });
    return this.#checking;
  }

  #changed(signature: string | null | undefined): void {
    if (signature !== undefined && signature === this.#signature) return;
    this.#signature = signature;
    this.#version++;
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
    // Stat first: a change after it makes the next check read the file again.
    const signature = await fileState(this.file).then((state) => state?.signature ?? null);
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return this.#read(signature, empty());
      throw error;
    }
    return this.#read(signature, parseState(text, this.file));
  }

  #read(signature: string | null, state: TokenState): TokenState {
    this.#signature = signature;
    this.#checkedAt = this.#clock();
    return state;
  }

  /**
   * Re-reads the file under the lock, applies `fn`, writes the result atomically.
   *
   * @throws {StoreUnavailable} When another process held the lock for more than 10 s.
   */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    const run = this.#queue.then(() =>
      withFileLock(this.file, async () => {
        const next = fn(await this.load());
        // Compact: the whole file is rewritten on each change.
        const ino = await atomicWrite(this.file, JSON.stringify(next) + "\n", 0o600);
        const after = await fileState(this.file).catch(() => null);
        // Our own write needs no reload; a file replaced since the rename does.
        if (after?.ino === ino) this.#read(after.signature, next);
        return next;
      })
    );
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
