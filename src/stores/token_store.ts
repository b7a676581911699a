/**
 * Where revocations and the list of issued API tokens are kept, so that they
 * survive a restart: in memory, or in a JSON file beside the capability file.
 *
 * @module
 */
import { withFileLock } from "./_file_lock.ts";
import { atomicWrite, fileState, removeStaleTemps } from "./_atomic_write.ts";
import { ConfigError } from "../errors.ts";
import type { TokenParent } from "../env.ts";
import { checkGrant, copyGrant, expired, type GrantRecord, mayPut } from "./_grant_records.ts";

export type { GrantRecord };
import { ParsedFile } from "./_parsed_file.ts";

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
  /** The tokens that made it, when a token did (it is revoked with any of them). */
  parents?: TokenParent[] | undefined;
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
 * The storage of revocations, API tokens and grant records. `update` must be
 * atomic with respect to other updates of the same store; `putGrant` is a
 * compare-and-set on one record (a database makes it one conditional write).
 * An expired record reads as absent everywhere (version 0 for `putGrant`).
 * Stores hand out copies: changing a returned record changes nothing stored.
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
  readonly version?: number | undefined;
  /**
   * Optional, for stores that poll: a promise when a check for other
   * processes' changes is due (the manager awaits it, then compares
   * `version`), `undefined` when the state in memory is current.
   */
  sync?(): Promise<void> | undefined;
  /** The unexpired record `id`, or `undefined`. */
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** Every unexpired record of `email`, in no particular order. */
  grantsOf(email: string): Promise<GrantRecord[]>;
  /**
   * Writes `record` if the stored version equals `expectedVersion` (0 = must
   * not exist, or has expired); `record.version` must be `expectedVersion + 1`.
   * Returns false (writes nothing) otherwise.
   *
   * @throws {TypeError} When `record` is malformed (see `GrantRecord`).
   */
  putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean>;
}

/**
 * Options of the built-in token stores.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, type TokenStoreOptions } from "@easy-oauth/hono";
 * const options: TokenStoreOptions = { clock: () => Date.now() };
 * const store = new MemoryTokenStore(options);
 * ```
 */
export interface TokenStoreOptions {
  /**
   * The time in epoch milliseconds, for the expiry of grant records.
   * @default {Date.now}
   */
  clock?: () => number;
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
  readonly #grants = new Map<string, GrantRecord>();
  readonly #clock: () => number;

  /**
   * Makes an empty store.
   *
   * @param options `clock` for the expiry of grant records.
   */
  constructor(options: TokenStoreOptions = {}) {
    this.#clock = options.clock ?? Date.now;
  }

  /** The current state. */
  load(): Promise<TokenState> {
    return Promise.resolve(structuredClone(this.#state));
  }

  /** Applies `fn` to the state. */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    this.#state = structuredClone(fn(structuredClone(this.#state)));
    return this.load();
  }

  /** The unexpired record `id`, or `undefined`. */
  getGrant(id: string): Promise<GrantRecord | undefined> {
    const record = this.#grants.get(id);
    const live = record && !expired(record, this.#clock());
    return Promise.resolve(live ? copyGrant(record) : undefined);
  }

  /** Every unexpired record of `email`. */
  grantsOf(email: string): Promise<GrantRecord[]> {
    const now = this.#clock();
    return Promise.resolve(
      [...this.#grants.values()].filter((r) => r.email === email && !expired(r, now)).map(
        copyGrant,
      ),
    );
  }

  /** Compare-and-set of one record (see `TokenStore.putGrant`). */
  putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean> {
    try {
      checkGrant(record);
    } catch (error) {
      return Promise.reject(error);
    }
    const now = this.#clock();
    if (!mayPut(this.#grants.get(record.id), record, expectedVersion, now)) {
      return Promise.resolve(false);
    }
    this.#grants.set(record.id, copyGrant(record));
    for (const [id, r] of this.#grants) if (expired(r, now)) this.#grants.delete(id);
    return Promise.resolve(true);
  }
}

/**
 * The options of `FileTokenStore`.
 *
 * @example
 * ```ts
 * import type { FileTokenStoreOptions } from "@easy-oauth/hono";
 * const options: FileTokenStoreOptions = { pollInterval: 250 };
 * ```
 */
export interface FileTokenStoreOptions extends TokenStoreOptions {
  /**
   * Milliseconds between two checks (`stat()`) for changes written by other
   * processes (other replicas on the same machine): a revocation made through
   * one process is refused by the others within this delay. `0` checks on
   * every request that needs the state.
   * @default {1000}
   */
  pollInterval?: number | undefined;
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
  readonly #clock: () => number;
  readonly #pollInterval: number;
  #queue: Promise<unknown> = Promise.resolve();
  #cleaned = false;
  readonly #parsed: ParsedFile<{ state: TokenState; grants: Record<string, GrantRecord> }>;
  /** The file's signature when last read or written (null: absent), undefined before. */
  #signature: string | null | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<void> | undefined;
  #version = 0;

  /**
   * Names the file; reads nothing yet.
   *
   * @param file The JSON file (created on the first write).
   * @param options See `FileTokenStoreOptions` (`clock` is also the expiry clock of grant records).
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
    this.#clock = clock;
    this.#pollInterval = pollInterval;
    this.#parsed = new ParsedFile(file, (text) => parseFile(text, file));
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

  /** Notes the file's signature as read or written by this store (no reload needed). */
  #seen(signature: string | null): void {
    this.#signature = signature;
    this.#checkedAt = this.#clock();
  }

  /**
   * Reads the file.
   *
   * @throws {ConfigError} When it is not a valid state.
   */
  async load(): Promise<TokenState> {
    return structuredClone((await this.#read()).state);
  }

  /**
   * Re-reads the file under the lock, applies `fn`, writes the result
   * atomically (grant records are kept).
   *
   * @throws {StoreUnavailable} When another process held the lock for more than 10 s.
   */
  update(fn: (state: TokenState) => TokenState): Promise<TokenState> {
    return this.#serialized(async () => {
      const { state, grants } = await this.#read();
      const next = fn(structuredClone(state));
      await this.#write(next, grants);
      return next;
    });
  }

  /** The unexpired record `id`, or `undefined`. */
  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const record = (await this.#read()).grants[id];
    return record && !expired(record, this.#clock()) ? copyGrant(record) : undefined;
  }

  /** Every unexpired record of `email`. */
  async grantsOf(email: string): Promise<GrantRecord[]> {
    const now = this.#clock();
    return Object.values((await this.#read()).grants).filter((r) =>
      r.email === email && !expired(r, now)
    ).map(copyGrant);
  }

  /** Compare-and-set of one record, serialized with the other writes of this store. */
  putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean> {
    try {
      checkGrant(record);
    } catch (error) {
      return Promise.reject(error);
    }
    const copy = copyGrant(record);
    return this.#serialized(async () => {
      const { state, grants: read } = await this.#read();
      const grants = Object.assign(Object.create(null), read) as typeof read;
      if (!mayPut(grants[copy.id], copy, expectedVersion, this.#clock())) return false;
      grants[copy.id] = copy;
      await this.#write(state, grants);
      return true;
    });
  }

  /** One write at a time in this process, and across processes under the file's lock. */
  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => withFileLock(this.file, task));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** The file's content, parsed again only when it changed (shared: callers copy what they change). */
  async #read(): Promise<{ state: TokenState; grants: Record<string, GrantRecord> }> {
    if (!this.#cleaned) {
      this.#cleaned = true;
      await removeStaleTemps(this.file);
    }
    // Parsed again only when the file changed since the last read.
    const { signature, value } = await this.#parsed.read();
    this.#seen(signature);
    return value ?? { state: empty(), grants: Object.create(null) };
  }

  async #write(state: TokenState, grants: Record<string, GrantRecord>): Promise<void> {
    const now = this.#clock();
    const live: Record<string, GrantRecord> = {};
    for (const [id, record] of Object.entries(grants)) if (!expired(record, now)) live[id] = record;
    // Compact: the whole file is rewritten on each change.
    const ino = await atomicWrite(
      this.file,
      JSON.stringify({ ...state, grants: live }) + "\n",
      0o600,
    );
    // Our own write needs no reload; a file replaced since the rename does.
    const after = await fileState(this.file).catch(() => null);
    if (after?.ino === ino) this.#seen(after.signature);
  }
}

function parseFile(
  text: string,
  file: string,
): { state: TokenState; grants: Record<string, GrantRecord> } {
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
  const grants: Record<string, GrantRecord> = Object.create(null);
  const part = value.grants ?? {};
  if (!record(part)) throw new ConfigError("must be an object", { file, path: ["grants"] });
  for (const [id, v] of Object.entries(part)) {
    try {
      checkGrant(v as GrantRecord);
      if ((v as GrantRecord).id !== id) throw new TypeError("id differs from its key");
    } catch (cause) {
      throw new ConfigError("has an invalid entry", { file, path: ["grants", id], cause });
    }
    grants[id] = v as GrantRecord;
  }
  return { state, grants };
}
