/**
 * The copy in memory of a capability file, and when to read the file again:
 * a `stat()` at most every `reloadInterval` ms, a re-read only when it shows
 * a change, the last good copy kept when a changed file cannot be read.
 *
 * @module
 */
import { type FileState, type FsPath, removeStaleTemps } from "./_atomic_write.ts";
import { accountLine, type CapsFile, parseCapsFile, type Users } from "./_caps_file.ts";
import { ConfigError } from "../errors.ts";
import { stateOf, textOf } from "./_caps_read.ts";

/** What the copy needs of the store's options, checked and defaulted. */
export interface CapsCopyOptions {
  validate: ((users: Users) => void) | undefined;
  reloadInterval: number;
  clock: () => number;
  onError: (error: Error) => void;
}

/** The accounts of one capability file, as last read or written. */
export class CapsCopy {
  readonly #path: FsPath;
  readonly #name: string;
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
  #cleaned = false;

  /** `name` is the file as given, for messages. */
  constructor(path: FsPath, name: string, options: CapsCopyOptions) {
    this.#path = path;
    this.#name = name;
    this.#validate = options.validate;
    this.#reloadInterval = options.reloadInterval;
    this.#clock = options.clock;
    this.#onError = options.onError;
  }

  /** Bumped by every write and every reload of a changed file. */
  get version(): number {
    return this.#version;
  }

  /** Whether the last check of the file went well. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** The accounts when the last check is recent enough to skip the next one. */
  fresh(): Users | undefined {
    if (this.#users === undefined) return undefined;
    const now = this.#clock();
    const fresh = now >= this.#checkedAt && now - this.#checkedAt < this.#reloadInterval;
    return fresh ? this.#users : undefined;
  }

  /** The accounts, re-read first when the file changed since the last check. */
  async current(): Promise<Users> {
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
      const state = await this.stat();
      signature = state?.signature ?? null;
      if (this.#users !== undefined && signature === this.#signature) {
        this.#checkedAt = this.#clock();
        return;
      }
      if (this.#users === undefined && this.#failure?.signature === signature) {
        throw this.#failure.error;
      }
      const parsed = await this.load(state);
      // A write finished meanwhile: its copy is newer than what was read here.
      if (generation === this.#generation) this.accept(parsed.users, signature);
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

  stat(): Promise<FileState | null> {
    return stateOf(this.#path, this.#name);
  }

  /**
   * Reads, parses and validates the file (`state` from a `stat()` made just
   * before), unless the copy in memory has the same signature.
   */
  async load(state: FileState | null): Promise<CapsFile> {
    const signature = state?.signature ?? null;
    if (this.#file !== undefined && this.#file.signature === signature) return this.#file.parsed;
    const text = state === null ? "" : await textOf(this.#path, this.#name);
    const parsed = parseCapsFile(text, this.#name);
    try {
      this.#validate?.(parsed.users);
    } catch (error) {
      throw withLine(error, text);
    }
    this.#file = { signature, parsed };
    return parsed;
  }

  /**
   * Takes what the store just wrote as the file; `signature` is unknown
   * (undefined) when the file could not be told apart from someone else's.
   */
  wrote(parsed: CapsFile, signature: string | undefined): void {
    this.#file = signature === undefined ? undefined : { signature, parsed };
    this.accept(parsed.users, signature);
  }

  /** Makes `users` the current copy; a copy of an unchanged file keeps the old one (and the caches built on it). */
  accept(users: Users, signature: string | null | undefined): void {
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

/** A refusal of one account, with the line of the file where that account starts. */
function withLine(error: unknown, text: string): unknown {
  if (!(error instanceof ConfigError) || error.path.length !== 1) return error;
  const line = accountLine(text, String(error.path[0]));
  if (line === undefined) return error;
  return new ConfigError(`${error.problem} (line ${line})`, {
    path: error.path,
    file: error.file,
    cause: error.cause,
  });
}
