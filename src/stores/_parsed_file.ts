// The last parse of a file, used again while `stat()` says the file has not
// changed: reading one grant record from a FileTokenStore costs a stat, not a
// parse of every record of the file.
import { readFile } from "node:fs/promises";
import { errorCode, fileState } from "./_atomic_write.ts";

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
   * The parsed file (`value`, shared: callers copy what they change;
   * `undefined` when the file does not exist) and the file's signature as
   * stated before it was read (`null`: absent).
   * @throws What `parse` throws, or a system error other than `ENOENT`.
   */
  async read(): Promise<{ signature: string | null; value: T | undefined }> {
    // Stat first: a change after it makes the next read parse again.
    const signature = (await fileState(this.#file))?.signature ?? null;
    if (signature === null) this.#last = undefined;
    if (signature === null || this.#last?.signature === signature) {
      return { signature, value: this.#last?.value };
    }
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return { signature, value: undefined };
      throw error;
    }
    const value = this.#parse(text);
    this.#last = { signature, value };
    return { signature, value };
  }
}
