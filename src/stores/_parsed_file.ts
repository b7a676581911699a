// The last parse of a file, used again while `stat()` says the file has not
// changed: reading one grant record from a FileTokenStore costs a stat, not a
// parse of every record of the file.
import { readFile, stat } from "node:fs/promises";
import { errorCode } from "./_atomic_write.ts";

/** A file's parsed content, parsed again only when the file changed. */
export class ParsedFile<T> {
  readonly #file: string;
  readonly #parse: (text: string) => T;
  #last: { signature: string; value: T } | undefined;

  constructor(file: string, parse: (text: string) => T) {
    this.#file = file;
    this.#parse = parse;
  }

  /**
   * The parsed file (shared: callers copy what they change), `undefined` when
   * it does not exist.
   * @throws What `parse` throws, or a system error other than `ENOENT`.
   */
  async read(): Promise<T | undefined> {
    let signature: string;
    try {
      const s = await stat(this.#file);
      // The inode changes with each atomic replacement; size and ctime (which
      // no one can set) catch edits in place within mtime's resolution.
      signature = `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
      this.#last = undefined;
      return undefined;
    }
    if (this.#last?.signature === signature) return this.#last.value;
    let text: string;
    try {
      // Read after the stat: a change in between makes the next read parse again.
      text = await readFile(this.#file, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    }
    const value = this.#parse(text);
    this.#last = { signature, value };
    return value;
  }
}
