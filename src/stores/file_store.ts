/**
 * A capability store backed by a YAML file in the Python package's format.
 *
 * @module
 */
import { resolve } from "node:path";
import type { CapabilityStore } from "./capability_store.ts";
import {
  atomicWrite,
  type FileState,
  fileState,
  type FsPath,
  removeStaleTemps,
} from "./_atomic_write.ts";
import { type CapsFile, editCapsFile, parseCapsFile, type Users } from "./_caps_file.ts";
import { stateOf, textOf } from "./_caps_read.ts";
import { frozenUpdate, sameList } from "./_lists.ts";
import { withFileLock } from "./_file_lock.ts";
import { MAX_YAML_BYTES } from "../_yaml.ts";
import { StoreLimitError } from "../errors.ts";

const encoder = new TextEncoder();

/** The options of `FileCapabilityStore`. */
export interface FileCapabilityStoreOptions {
  /**
   * Checks the accounts read from the file and throws (a `ConfigError`) to
   * refuse it. `CapabilitySet` passes one that refuses unknown capabilities.
   */
  validate?: (users: ReadonlyMap<string, readonly string[]>) => void;
  /**
   * Milliseconds between two checks (`stat()`) for hand edits of the file;
   * `0` checks on every access.
   * @default {1000}
   */
  reloadInterval?: number;
  /**
   * The time in epoch milliseconds, for the reload interval.
   * @default {Date.now}
   */
  clock?: () => number;
  /**
   * Told when a changed file cannot be read, parsed or validated (the last
   * good copy stays in use).
   * @default {(error) => console.error(error.message)}
   */
  onError?: (error: Error) => void;
}

/**
 * A `CapabilityStore` kept in a YAML file, compatible with the Python
 * package's `user_file`:
 *
 * ```yaml
 * your-email@you.com:
 *   - admin
 * hateful-being@cornhole.co: []
 * ```
 *
 * Reads are served from memory; hand edits are picked up (the file is checked
 * at most every `reloadInterval` ms). A missing file holds no account and is
 * created by the first write. Writes are serialized, in this process and
 * across the processes that share the file (a lock file beside it, taken
 * over after 10 s when its holder died), re-read the file first
 * when a `stat()` shows that it changed since it was last read or written
 * (nothing written meanwhile is lost), keep comments and order (only the
 * changed account's lines are rewritten), and replace the file atomically. A changed file that cannot be read keeps the last good
 * copy in use and is reported to `onError`; when there is no good copy yet,
 * `get`, `all` and `update` reject with the `ConfigError`. A file that cannot
 * be read is never overwritten.
 *
 * @example
 * ```ts
 * import { CapabilitySet, FileCapabilityStore } from "@easy-oauth/hono";
 *
 * // What `userFile: "caps.yaml"` does, but checking for hand edits every 5 s.
 * const store: FileCapabilityStore = new FileCapabilityStore("caps.yaml", {
 *   reloadInterval: 5_000,
 *   validate: (users) => {
 *     for (const list of users.values()) if (!list.every((c) => capabilities.has(c))) throw new Error();
 *   },
 * });
 * const capabilities = new CapabilitySet({ graph: { read: [], write: ["read"] }, store });
 * ```
 */
export class FileCapabilityStore implements CapabilityStore {
  /** The file, as given (for messages). */
  readonly file: string;
  readonly #path: FsPath;
  readonly #validate: ((users: Users) => void) | undefined;
  readonly #reloadInterval: number;
  readonly #clock: () => number;
  readonly #onError: (error: Error) => void;
  #users: Users | undefined;
  #signature: string | null | undefined;
  #failure: { signature: string | null; error: Error } | undefined;
  /** False after a changed file failed to load: `peek` then leaves it to `get`. */
  #healthy = false;
  /** The file as last read or written, with its signature then: writes edit it without reading. */
  #file: { signature: string | null; parsed: CapsFile } | undefined;
  #checkedAt = -Infinity;
  #refreshing: Promise<void> | undefined;
  #generation = 0;
  #version = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #cleaned = false;

  /**
   * Checks the options; reads nothing yet.
   *
   * @param path The file: a path (relative ones resolve against the current
   *   directory, now) or a `file:` URL.
   * @param options See `FileCapabilityStoreOptions`.
   * @throws {TypeError} On a bad path or option, naming it.
   */
  constructor(path: string | URL, options: FileCapabilityStoreOptions = {}) {
    if (path instanceof URL) {
      if (path.protocol !== "file:") throw new TypeError('"path" must be a file: URL');
      this.#path = path;
      this.file = decodeURIComponent(path.pathname);
    } else if (typeof path === "string" && path.length > 0) {
      this.#path = resolve(path);
      this.file = path;
    } else {
      throw new TypeError('"path" must be a non-empty string or a file: URL');
    }
    const { validate, reloadInterval = 1000, clock = Date.now, onError } = options;
    if (validate !== undefined && typeof validate !== "function") {
      throw new TypeError('"validate" must be a function');
    }
    if (typeof reloadInterval !== "number" || !(reloadInterval >= 0)) {
      throw new TypeError('"reloadInterval" must be a number of milliseconds, 0 or more');
    }
    if (typeof clock !== "function") throw new TypeError('"clock" must be a function');
    if (onError !== undefined && typeof onError !== "function") {
      throw new TypeError('"onError" must be a function');
    }
    this.#validate = validate;
    this.#reloadInterval = reloadInterval;
    this.#clock = clock;
    this.#onError = onError ?? ((error) => console.error(error.message));
  }

  /** Bumped by every write and every reload of a changed file. */
  get version(): number {
    return this.#version;
  }

  /**
   * The stored capabilities of one account, from memory (the file is
   * checked for changes at most every `reloadInterval` ms).
   *
   * @param email The account.
   * @returns Its list (frozen), or `undefined` when it has no entry.
   * @throws {ConfigError} When the file could never be read.
   */
  get(email: string): Promise<readonly string[] | undefined> {
    // No async frame on the hot path: most calls find a fresh copy.
    const users = this.#fresh();
    if (users !== undefined) return Promise.resolve(users.get(email));
    return this.#current().then((current) => current.get(email));
  }

  /**
   * The stored capabilities of one account when known without I/O: the file
   * is loaded, its last check went well, and the next one is not due yet.
   *
   * @param email The account.
   * @returns `{ value }` (`value` is `undefined` when the account has no
   *   entry), or `undefined` when only `get` can tell (always so with
   *   `reloadInterval: 0`).
   * @example
   * ```ts
   * import { FileCapabilityStore } from "@easy-oauth/hono";
   *
   * const store = new FileCapabilityStore("caps.yaml");
   * const known = store.peek("ann@example.com");
   * const list = known ? known.value : await store.get("ann@example.com");
   * ```
   */
  peek(email: string): { readonly value: readonly string[] | undefined } | undefined {
    const users = this.#healthy ? this.#fresh() : undefined;
    return users === undefined ? undefined : { value: users.get(email) };
  }

  /**
   * Every stored account.
   *
   * @returns The accounts in file order (a snapshot that never changes).
   * @throws {ConfigError} When the file could never be read.
   */
  all(): Promise<ReadonlyMap<string, readonly string[]>> {
    const users = this.#fresh();
    return users !== undefined ? Promise.resolve(users) : this.#current();
  }

  /**
   * Changes one account in the file. Updates run one at a time, in this
   * process and across processes (under the lock file `<file>.lock`), each on
   * a fresh read of the file: no write of another process is lost.
   *
   * @param email The account.
   * @param fn Gets the current list, returns the new one or `undefined` to delete the account.
   * @returns The new stored list.
   * @throws {ConfigError} When the file cannot be read, parsed or validated (it is left alone).
   * @throws {StoreLimitError} When the file would pass the 1 MiB that can be read back (it is left alone).
   * @throws {StoreUnavailable} When another process held the lock for more than 10 s.
   */
  update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined> {
    // One at a time in this process, and across processes under the file's lock.
    const run = this.#queue.then(() => withFileLock(this.#path, () => this.#update(email, fn)));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #update(
    email: string,
    fn: (current: readonly string[] | undefined) => readonly string[] | undefined,
  ): Promise<readonly string[] | undefined> {
    const before = await this.#stat();
    const parsed = await this.#load(before);
    this.#accept(parsed.users, before?.signature ?? null);
    const current = parsed.users.get(email);
    const next = frozenUpdate(fn(current));
    if (sameList(current, next)) return current;
    const edited = editCapsFile(parsed, email, next, this.file);
    // One limit for reading and writing: never write what could not be read back.
    if (encoder.encode(edited.text).byteLength > MAX_YAML_BYTES) {
      throw new StoreLimitError(this.file, MAX_YAML_BYTES);
    }
    const ino = await atomicWrite(this.#path, edited.text, before?.mode);
    // Unknown (undefined) when stat fails or finds a file someone else put
    // there since the rename: the next check then re-reads the file.
    const after = await fileState(this.#path).then(
      (state) => state !== null && state.ino === ino ? state.signature : undefined,
      () => undefined,
    );
    this.#file = after === undefined ? undefined : { signature: after, parsed: edited };
    this.#accept(edited.users, after);
    return next;
  }

  /** The accounts when the last check is recent enough to skip the next one. */
  #fresh(): Users | undefined {
    if (this.#users === undefined) return undefined;
    const now = this.#clock();
    const fresh = now >= this.#checkedAt && now - this.#checkedAt < this.#reloadInterval;
    return fresh ? this.#users : undefined;
  }

  /** The accounts, re-read first when the file changed since the last check. */
  async #current(): Promise<Users> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    await this.#refreshing;
    if (this.#users === undefined) throw this.#failure?.error ?? new Error("not loaded");
    return this.#users;
  }

  async #refresh(): Promise<void> {
    if (!this.#cleaned) {
      this.#cleaned = true;
      await removeStaleTemps(this.#path);
    }
    const generation = this.#generation;
    let signature: string | null | undefined;
    try {
      const state = await this.#stat();
      signature = state?.signature ?? null;
      if (this.#users !== undefined && signature === this.#signature) {
        this.#checkedAt = this.#clock();
        return;
      }
      if (this.#users === undefined && this.#failure?.signature === signature) {
        throw this.#failure.error;
      }
      const parsed = await this.#load(state);
      // A write finished meanwhile: its copy is newer than what was read here.
      if (generation === this.#generation) this.#accept(parsed.users, signature);
    } catch (cause) {
      if (generation !== this.#generation) return;
      const error = cause instanceof Error ? cause : new Error(String(cause));
      if (this.#users === undefined) {
        if (signature !== undefined) this.#failure = { signature, error };
        throw error;
      }
      this.#signature = signature;
      this.#healthy = false;
      this.#checkedAt = this.#clock();
      this.#onError(error);
    }
  }

  #stat(): Promise<FileState | null> {
    return stateOf(this.#path, this.file);
  }

  /**
   * Reads, parses and validates the file (`state` from a `stat()` made just
   * before), unless the copy in memory has the same signature.
   */
  async #load(state: FileState | null): Promise<CapsFile> {
    const signature = state?.signature ?? null;
    if (this.#file !== undefined && this.#file.signature === signature) return this.#file.parsed;
    const text = state === null ? "" : await textOf(this.#path, this.file);
    const parsed = parseCapsFile(text, this.file);
    this.#validate?.(parsed.users);
    this.#file = { signature, parsed };
    return parsed;
  }

  /** Makes `users` the current copy; a copy of an unchanged file keeps the old one (and the caches built on it). */
  #accept(users: Users, signature: string | null | undefined): void {
    this.#generation++;
    const unchanged = this.#users !== undefined && signature !== undefined &&
      signature === this.#signature;
    if (!unchanged) {
      this.#users = users;
      this.#version++;
    }
    this.#signature = signature;
    this.#failure = undefined;
    this.#healthy = true;
    this.#checkedAt = this.#clock();
  }
}
