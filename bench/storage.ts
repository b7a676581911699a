// Section 7: the token store. What a write costs as records grow (SQLite, the
// default), what a replica's catch-up after one change costs when much is
// stored, sustained logins on the default store beside MemoryTokenStore, how
// fast a revocation reaches another process on one SQLite file, and what
// starting on a large store costs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type GrantRecord, MemoryTokenStore, SqliteStore } from "../mod.ts";
import { Revocations } from "../src/credentials/revocations.ts";
import { call, login, startReplicas } from "../testing/_replicas.ts";
import { OAuthMock } from "../testing/mod.ts";
import { median } from "./_measure.ts";
import { startWorld } from "./_world.ts";

/** Sizes of the run. */
export interface StorageOptions {
  /** Existing records (grants and revoked ids each) at which writes are timed. */
  sizes: number[];
  /** Writes timed per size and kind. */
  writes: number;
  /** Catch-ups timed at the largest size. */
  catchUps: number;
  /** Seconds of logins per store (in 1-second slices, the stores alternating). */
  loginSeconds: number;
  /** Concurrent logins in flight. */
  loginConcurrency: number;
  /** Revocations timed across processes. */
  propagations: number;
}

/** What section 7 measured. */
export interface StorageResult {
  /** Median ms of one write at each size. */
  writes: { size: number; mintMs: number; revokeMs: number }[];
  /** Median ms of `changesSince(revision)` after one change, at the largest size. */
  catchUpMs: number;
  /** Logins per second: the default store, memory, and the default's per slice. */
  logins: { sqlite: number; memory: number; slices: number[] };
  /** Revocation through one process refused by another, ms. */
  propagation: { p50: number; p99: number; n: number };
  /** Opening a store holding the largest size and loading a replica's view. */
  startup: { ms: number; mb: number; size: number };
}

const T0 = Date.now();

function grant(id: string): GrantRecord {
  return {
    id,
    email: `${id}@example.com`,
    version: 1,
    expires_at: T0 / 1000 + 86_400,
    data: { sealed: "x".repeat(200), tokens: [] },
  };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Fills `store` up to `size` grants and revoked ids. */
async function fill(store: SqliteStore, from: number, size: number): Promise<void> {
  for (let i = from; i < size; i++) {
    await store.putGrant(grant(`g${i}`), 0);
    await store.revokeId(`r${i}`, T0 + 86_400_000);
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Logins per second of each store, alternating 1-second slices. */
async function logins(options: StorageOptions): Promise<StorageResult["logins"]> {
  await using sqlite = await startWorld();
  await using memory = await startWorld({ tokenStore: new MemoryTokenStore() });
  const counts = { sqlite: [] as number[], memory: [] as number[] };
  let n = 0;
  const slice = async (world: typeof sqlite) => {
    const end = performance.now() + 1000;
    let count = 0;
    await Promise.all(Array.from({ length: options.loginConcurrency }, async () => {
      while (performance.now() < end) {
        const client = await world.tester.client(`login${n++}@example.com`);
        if (!client.token) throw new Error("a login made no token");
        count++;
      }
    }));
    return count;
  };
  // Warm-up (JIT, connections, the database's creation), not counted.
  await slice(sqlite);
  await slice(memory);
  for (let s = 0; s < options.loginSeconds; s++) {
    counts.sqlite.push(await slice(sqlite));
    counts.memory.push(await slice(memory));
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    sqlite: sum(counts.sqlite) / options.loginSeconds,
    memory: sum(counts.memory) / options.loginSeconds,
    slices: counts.sqlite,
  };
}

/** Revokes a token through one process and times until another refuses it. */
async function propagation(dir: string, count: number): Promise<StorageResult["propagation"]> {
  await using mock = await OAuthMock.start({ port: 0 });
  await using replicas = await startReplicas(["deno", "deno"], {
    EASY_OAUTH_STORE: "sqlite",
    EASY_OAUTH_DIR: dir,
    EASY_OAUTH_METADATA: mock.metadataUrl,
  });
  const [a, b] = replicas.urls;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const token = await login(a, `p${i}@example.com`);
    if ((await call(b, "/me", { token })).status !== 200) throw new Error("a fresh token refused");
    const start = performance.now();
    if ((await call(a, "/token/revoke", { token }, { token })).status !== 200) {
      throw new Error("the revocation failed");
    }
    while ((await call(b, "/me", { token })).status !== 401) {
      if (performance.now() - start > 10_000) throw new Error("not refused after 10 s");
    }
    times.push(performance.now() - start);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), n: times.length };
}

/** Runs section 7. */
export async function storage(options: StorageOptions): Promise<StorageResult> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-bench-storage-"));
  try {
    const file = join(dir, "tokens.db");
    const writes: StorageResult["writes"] = [];
    let catchUpMs = NaN;
    let startup = { ms: NaN, mb: NaN, size: 0 };
    {
      using store = new SqliteStore(file, { log: () => {} });
      let filled = 0;
      for (const size of options.sizes) {
        await fill(store, filled, size);
        filled = size;
        const mints: number[] = [], revokes: number[] = [];
        for (let i = 0; i < options.writes; i++) {
          mints.push(await timed(() => store.putGrant(grant(`m${size}-${i}`), 0)));
          revokes.push(await timed(() => store.revokeId(`x${size}-${i}`, T0 + 86_400_000)));
        }
        writes.push({ size, mintMs: median(mints), revokeMs: median(revokes) });
      }
      // Another connection, as another process, with a view already loaded.
      using other = new SqliteStore(file, { checkInterval: 0, log: () => {} });
      let { revision } = await other.changesSince();
      const catchUps: number[] = [];
      for (let i = 0; i < options.catchUps; i++) {
        await store.revokeId(`c${i}`, T0 + 86_400_000);
        const start = performance.now();
        const read = await other.changesSince(revision);
        catchUps.push(performance.now() - start);
        if (read.reset || read.changes.length !== 1) throw new Error("not an incremental read");
        revision = read.revision;
      }
      catchUpMs = median(catchUps);
    }
    {
      const before = process.memoryUsage().rss;
      const start = performance.now();
      using store = new SqliteStore(file, { log: () => {} });
      const view = new Revocations(store, Date.now);
      await view.ready();
      const ms = performance.now() - start;
      const mb = (process.memoryUsage().rss - before) / 1e6;
      if (!view.isRevoked({ email: "a@b.c", tokenId: "r0" })) throw new Error("r0 not revoked");
      startup = { ms, mb, size: options.sizes[options.sizes.length - 1] };
    }
    return {
      writes,
      catchUpMs,
      logins: await logins(options),
      propagation: await propagation(join(dir), options.propagations),
      startup,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
