import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailable } from "../errors.ts";
import { lockPathFor, withFileLock } from "./_file_lock.ts";

async function folder(): Promise<{ file: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-lock-"));
  return {
    file: join(dir, "caps.yaml"),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}

describe("withFileLock()", () => {
  it("runs holders one at a time and removes the lock file after", async () => {
    await using dir = await folder();
    let inside = 0, most = 0;
    await Promise.all(Array.from({ length: 20 }, () =>
      withFileLock(dir.file, async () => {
        most = Math.max(most, ++inside);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inside--;
      })));
    assert.equal(most, 1);
    assert.deepEqual(await readdir(join(dir.file, "..")), []);
  });

  it("takes over a stale lock left by a dead process", async () => {
    await using dir = await folder();
    const lock = lockPathFor(dir.file) as string;
    await writeFile(lock, "a dead process");
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const ran = await withFileLock(dir.file, () => Promise.resolve("ran"), {
      staleMs: 1000,
      timeoutMs: 500,
    });
    assert.equal(ran, "ran");
    assert.deepEqual(await readdir(join(dir.file, "..")), []);
  });

  it("fails with StoreUnavailable when a live holder keeps the lock too long", async () => {
    await using dir = await folder();
    await writeFile(lockPathFor(dir.file) as string, "a live process");
    await assert.rejects(
      withFileLock(dir.file, () => Promise.resolve(), { staleMs: 60_000, timeoutMs: 50 }),
      StoreUnavailable,
    );
  });

  it("releases the lock when the holder throws", async () => {
    await using dir = await folder();
    const failure = new Error("refused");
    await assert.rejects(
      withFileLock(dir.file, () => Promise.reject(failure)),
      (e) => e === failure,
    );
    assert.deepEqual(await readdir(join(dir.file, "..")), []);
  });
});
