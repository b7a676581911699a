// Reading the capability file, with every failure as a ConfigError naming it.
import { readFile } from "node:fs/promises";
import { ConfigError } from "../errors.ts";
import { errorCode, type FileState, fileState, type FsPath } from "./_atomic_write.ts";

function readError(cause: unknown, file: string): ConfigError {
  const reason = errorCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
  return new ConfigError(`cannot read the file (${reason})`, { file, cause });
}

/**
 * The file's state, or `null` when it does not exist.
 *
 * @param file The file as named in messages.
 * @throws {ConfigError} When `stat()` fails otherwise.
 */
export async function stateOf(path: FsPath, file: string): Promise<FileState | null> {
  try {
    return await fileState(path);
  } catch (cause) {
    throw readError(cause, file);
  }
}

/**
 * The file's text; an empty one when the file does not exist, so that a
 * missing file holds no account and the first write creates it.
 *
 * @param file The file as named in messages.
 * @throws {ConfigError} When the file exists but cannot be read.
 */
export async function textOf(path: FsPath, file: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    if (errorCode(cause) === "ENOENT") return "";
    throw readError(cause, file);
  }
}
