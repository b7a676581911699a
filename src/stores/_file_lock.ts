// A lock shared by the processes that write one store file: a lock file made
// with an exclusive create (O_EXCL: atomic, and the same through node:fs on
// Deno, Bun and Node), its modification time refreshed while it is held, and
// taken over when it is older than `staleMs` (its holder died). Writers hold it
// while they re-read the file, change it and replace it, so that no write of
// another process is lost.
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { errorCode, type FsPath } from "./_atomic_write.ts";
import { StoreUnavailable } from "../errors.ts";

/** How long a lock may go unrefreshed before it is taken over, and how long to wait for one. */
export interface LockTimes {
  /** A lock not refreshed for this long (ms) belongs to a dead process. */
  staleMs: number;
  /** Waiting longer (ms) for the lock makes the write fail with `StoreUnavailable`. */
  timeoutMs: number;
}

/** Held locks are refreshed three times per `staleMs`; writes take milliseconds. */
export const LOCK_TIMES: LockTimes = { staleMs: 10_000, timeoutMs: 10_000 };

/** The lock file of `path`: `caps.yaml` → `caps.yaml.lock`, beside it. */
export function lockPathFor(path: FsPath): FsPath {
  return typeof path === "string" ? `${path}.lock` : new URL(`${path.href}.lock`);
}

function token(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16)).join("");
}

function aside(lock: FsPath): FsPath {
  const name = `.stale.${token()}`;
  return typeof lock === "string" ? `${lock}${name}` : new URL(`${lock.href}${name}`);
}

/**
 * Runs `run` while holding the lock of `path`.
 *
 * @throws {StoreUnavailable} When another process held the lock for longer than `timeoutMs`.
 */
export async function withFileLock<T>(
  path: FsPath,
  run: () => Promise<T>,
  times: LockTimes = LOCK_TIMES,
): Promise<T> {
  const lock = lockPathFor(path);
  const mine = token();
  await acquire(lock, mine, times);
  const beat = setInterval(() => {
    const now = new Date();
    utimes(lock, now, now).catch(() => {});
  }, times.staleMs / 3);
  try {
    return await run();
  } finally {
    clearInterval(beat);
    await release(lock, mine);
  }
}

async function acquire(lock: FsPath, mine: string, times: LockTimes): Promise<void> {
  const deadline = Date.now() + times.timeoutMs;
  for (let pause = 1;; pause = Math.min(pause * 2, 25)) {
    try {
      const handle = await open(lock, "wx", 0o600);
      try {
        await handle.writeFile(mine);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    if (await takeOverStale(lock, times.staleMs)) continue;
    if (Date.now() > deadline) {
      throw new StoreUnavailable(
        `${lock} was held by another process for more than ${times.timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
  }
}

/**
 * Removes the lock when it is stale; whether to try again at once. The lock
 * is moved aside first (an atomic rename) and checked to be the stale one: a
 * live holder's lock taken by a race is put back.
 */
async function takeOverStale(lock: FsPath, staleMs: number): Promise<boolean> {
  let seen: string;
  try {
    const state = await stat(lock);
    if (Date.now() - state.mtimeMs < staleMs) return false;
    seen = await readFile(lock, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return true;
    throw error;
  }
  const moved = aside(lock);
  try {
    await rename(lock, moved);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return true;
    throw error;
  }
  const content = await readFile(moved, "utf8").catch(() => undefined);
  if (content !== seen) await link(moved, lock).catch(() => {});
  await unlink(moved).catch(() => {});
  return true;
}

async function release(lock: FsPath, mine: string): Promise<void> {
  const content = await readFile(lock, "utf8").catch(() => undefined);
  // Taken over meanwhile (this process stalled for longer than staleMs): not ours to remove.
  if (content === mine) await unlink(lock).catch(() => {});
}
