// What the capability file store's tests share: a throwaway folder, and an
// update that appends a capability.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `fn` with a new empty folder, removed afterwards. */
export async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-caps-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An update of a store's entry that appends `name`. */
export const append = (name: string) => (current: readonly string[] | undefined) => [
  ...(current ?? []),
  name,
];
