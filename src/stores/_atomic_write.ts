// Crash-safe replacement of a file: readers see the old content or the new
// one, never a half-written file, and the new content is on disk before the
// rename makes it visible.
import { open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A file path (resolved) or a `file:` URL; `node:fs/promises` takes both. */
export type FsPath = string | URL;

/** What a `stat()` says about a file, for change detection and permissions. */
export interface FileState {
  /** Changes whenever the file is replaced or its content changes. */
  signature: string;
  /** The permission bits, carried over to the replacement. */
  mode: number;
  /** The inode number, to tell whether the file is still the one written. */
  ino: number;
}

/** The `code` of a Node-style system error (`"ENOENT"`), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The file's current state, or `null` when it does not exist. */
export async function fileState(path: FsPath): Promise<FileState | null> {
  try {
    const s = await stat(path);
    // The inode catches atomic replacements by editors; ctime and size catch
    // in-place edits within mtime's resolution.
    return {
      signature: `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`,
      mode: s.mode & 0o777,
      ino: s.ino,
    };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw error;
  }
}

/** A temporary file this old was left by a write that was killed (writes take milliseconds). */
const STALE_TEMP_MS = 10 * 60_000;

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A hidden, unique temporary file name in the same folder (same file system, so rename is atomic). */
function tempPathFor(path: FsPath): FsPath {
  const suffix = `${randomSuffix()}.tmp`;
  if (typeof path === "string") return join(dirname(path), `.${basename(path)}.${suffix}`);
  const name = path.pathname.slice(path.pathname.lastIndexOf("/") + 1);
  return new URL(`.${name}.${suffix}`, path);
}

function folderOf(path: FsPath): FsPath {
  return typeof path === "string" ? dirname(path) : new URL(".", path);
}

/**
 * Writes `text` to `path` atomically: temporary file in the same folder,
 * write, fsync, rename, then fsync of the folder so that the rename itself
 * survives a crash (skipped where the platform refuses to open folders).
 *
 * @param mode Permission bits to give the new file (those of the file it replaces).
 * @returns The inode number of the new file: a `stat()` showing another one
 *   means that someone replaced the file since.
 */
export async function atomicWrite(path: FsPath, text: string, mode?: number): Promise<number> {
  const temp = tempPathFor(path);
  const handle = await open(temp, "wx", 0o666);
  let ino: number;
  try {
    try {
      if (mode !== undefined) await handle.chmod(mode).catch(() => {});
      await handle.writeFile(text, "utf8");
      await handle.sync();
      ino = (await handle.stat()).ino;
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncFolder(folderOf(path));
  return ino;
}

async function syncFolder(folder: FsPath): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder; the rename is already done, only its durability is weaker.
  }
}

/**
 * Removes the temporary files of `path` that a write killed between creating
 * and renaming them (`kill -9`, a power cut) left behind: those older than 10
 * minutes, so that another process's write in progress is never touched.
 * Housekeeping: failures are ignored.
 */
export async function removeStaleTemps(path: FsPath): Promise<void> {
  const prefix = `.${typeof path === "string" ? basename(path) : basename(path.pathname)}.`;
  const isTemp = (name: string) =>
    name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length));
  const folder = folderOf(path);
  try {
    for (const name of await readdir(folder)) {
      if (!isTemp(name)) continue;
      const temp = typeof folder === "string" ? join(folder, name) : new URL(name, folder);
      const info = await stat(temp).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS) await unlink(temp).catch(() => {});
    }
  } catch {
    // The folder cannot be listed: nothing to clean that we could clean.
  }
}
