/**
 * A capability store backed by a YAML file in the Python package's format.
 *
 * @module
 */
import { resolve } from "node:path";
import type { CapabilityStore } from "./capability_store.ts";
import { atomicWrite, fileState, type FsPath } from "./_atomic_write.ts";
import { editCapsFile } from "./_caps_file.ts";
import { CapsCopy } from "./_caps_copy.ts";
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
  reloadInterval?: number | undefined;
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
  readonly #copy: CapsCopy;
  #queue: Promise<unknown> = Promise.resolve();

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
    this.#copy = new CapsCopy(this.#path, this.file, {
      validate,
      reloadInterval,
      clock,
      onError: onError ?? ((error) => console.error(error.message)),
    });
  }

  /** Bumped by every write and every reload of a changed file. */
  get version(): number {
    return this.#copy.version;
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
    const users = this.#copy.fresh();
    if (users !== undefined) return Promise.resolve(users.get(email));
    return this.#copy.current().then((current) => current.get(email));
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
    const users = this.#copy.healthy ? this.#copy.fresh() : undefined;
    return users === undefined ? undefined : { value: users.get(email) };
  }

  /**
   * Every stored account.
   *
   * @returns The accounts in file order (a snapshot that never changes).
   * @throws {ConfigError} When the file could never be read.
   */
  all(): Promise<ReadonlyMap<string, readonly string[]>> {
    const users = this.#copy.fresh();
    return users !== undefined ? Promise.resolve(users) : this.#copy.current();
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
    const before = await this.#copy.stat();
    const parsed = await this.#copy.load(before);
    this.#copy.accept(parsed.users, before?.signature ?? null);
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
    this.#copy.wrote(edited, after);
    return next;
  }
}
