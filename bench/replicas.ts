// Section 6: several replicas on shared state. What the PostgreSQL store costs
// a cached bearer check (nothing on the hot path: it should match memory),
// how fast a revocation made through one replica reaches another (PostgreSQL:
// LISTEN/NOTIFY; files: the poll), and how many capability writes per second
// three replicas make together.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import {
  type CapabilityStore,
  FileCapabilityStore,
  MemoryCapabilityStore,
  MemoryTokenStore,
  type OAuthEnv,
  OAuthManager,
  SqliteStore,
  type TokenStore,
} from "../mod.ts";
import { PostgresStore } from "../postgres/mod.ts";
import { AppTester, OAuthMock } from "../testing/mod.ts";
import { compare, type CompareOptions } from "./_measure.ts";
import { GRAPH, SECRET } from "./_world.ts";

const ORIGIN = "http://localhost";
const ANN = "ann@example.com";

/** Sizes of the run. */
export interface ReplicasOptions extends CompareOptions {
  /** Revocations timed per store kind. */
  revocations: number;
  /** Seconds of capability writes. */
  writeSeconds: number;
  /** The files' poll interval (ms). */
  pollMs: number;
}

/** Revocation propagation times, ms. */
export interface Latency {
  p50: number;
  p99: number;
  n: number;
}

/** What section 6 measured. */
export interface ReplicasResult {
  /** Cached bearer check: µs per request with each store, and PostgreSQL over memory. */
  bearer: { memoryUs: number; postgresUs: number; ratio: number; spread: number };
  /** Revocation propagation from one replica to another, ms. */
  propagation: { postgres: Latency; files: Latency };
  /** Capability writes per second, three replicas (store instances) at once. */
  writes: { distinct: number; same: number };
}

function app(mock: OAuthMock, store: CapabilityStore, tokenStore: TokenStore): Hono<OAuthEnv> {
  const oauth = new OAuthManager({
    serverMetadataUrl: mock.metadataUrl,
    secretKey: SECRET,
    clientId: "bench-client",
    clientSecret: "bench-secret",
    capabilities: { graph: GRAPH, store },
    tokenStore,
    log: () => {},
  });
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/read", oauth.requireCapability("read"), (c) => c.text("ok"));
  app.get("/me", oauth.requireUser(), (c) => c.text("ok"));
  return app;
}

function get(app: Hono<OAuthEnv>, path: string, token: string) {
  return app.request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/**
 * `count` user tokens, each from a login of its own. Past the first, they go to
 * accounts of their own: an account may hold only so many live tokens and
 * grants (`MAX_GRANTS_PER_ACCOUNT`), and propagation does not depend on whose
 * token is revoked.
 */
async function tokens(mock: OAuthMock, target: Hono<OAuthEnv>, count: number): Promise<string[]> {
  await using tester = await AppTester.start(target, mock);
  return await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const email = i === 0 ? ANN : `reader${i}@example.com`;
      return (await tester.client(email)).token!;
    }),
  );
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Revokes each token through `a`, and times until `b` refuses it. */
async function propagation(
  a: Hono<OAuthEnv>,
  b: Hono<OAuthEnv>,
  list: string[],
): Promise<Latency> {
  const times: number[] = [];
  for (const token of list) {
    if ((await get(b, "/me", token)).status !== 200) throw new Error("a fresh token was refused");
    const start = performance.now();
    const revoked = await a.request(`${ORIGIN}/token/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    if (revoked.status !== 200) throw new Error(`revoke answered ${revoked.status}`);
    while ((await get(b, "/me", token)).status !== 401) {
      if (performance.now() - start > 10_000) throw new Error("not refused after 10 s");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    times.push(performance.now() - start);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), n: times.length };
}

/** Writes capabilities through three stores at once for `seconds`; writes per second. */
async function writeRate(
  stores: PostgresStore[],
  seconds: number,
  account: (replica: number, i: number) => string,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(stores.flatMap((store, r) =>
    Array.from({ length: 8 }, async (_, lane) => {
      for (let i = 0; performance.now() < end; i++) {
        await store.capabilities.update(account(r, lane * 1_000_000 + i), (current = []) =>
          current.includes("read")
            ? current.filter((c) => c !== "read")
            : [...current, "read"]);
        count++;
      }
    })
  ));
  return count / seconds;
}

/** Runs section 6 against the database at `databaseUrl`. */
export async function replicas(
  databaseUrl: string,
  options: ReplicasOptions,
): Promise<ReplicasResult> {
  const schema = `bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-bench-replicas-"));
  await using mock = await OAuthMock.start({ port: 0 });
  const pgs = await Promise.all(
    [0, 1, 2].map(() => PostgresStore.connect(databaseUrl, { schema, log: () => {} })),
  );
  try {
    await pgs[0].capabilities.update(ANN, () => ["write"]);
    const memory = app(
      mock,
      new MemoryCapabilityStore({ [ANN]: ["write"] }),
      new MemoryTokenStore(),
    );
    const [pgA, pgB] = pgs.map((pg) => app(mock, pg.capabilities, pg.tokens));
    // Each app's own token: a user token refers to a login kept in its app's token store.
    const [memoryToken] = await tokens(mock, memory, 1);
    const [pgToken] = await tokens(mock, pgA, 1);
    const ok = (target: Hono<OAuthEnv>, token: string) => async () => {
      const res = await get(target, "/read", token);
      if (res.status !== 200) throw new Error(`/read answered ${res.status}`);
    };
    const timings = await compare([
      { name: "memory", run: ok(memory, memoryToken) },
      { name: "postgres", run: ok(pgA, pgToken), baseline: "memory" },
    ], options);
    const m = timings.get("memory")!, p = timings.get("postgres")!;

    const n = options.revocations;
    const pgTokens = await tokens(mock, pgA, n);
    const files = [0, 1].map(() => {
      const caps = new FileCapabilityStore(join(dir, "caps.yaml"), {
        reloadInterval: options.pollMs,
      });
      // The default token store beside the capability file (two connections, as two processes).
      return app(mock, caps, new SqliteStore(join(dir, "caps.db"), { log: () => {} }));
    });
    const fileTokens = await tokens(mock, files[0], n);
    const result: ReplicasResult = {
      bearer: { memoryUs: m.us, postgresUs: p.us, ratio: p.ratio, spread: p.spread },
      propagation: {
        postgres: await propagation(pgA, pgB, pgTokens),
        files: await propagation(files[0], files[1], fileTokens),
      },
      writes: {
        distinct: await writeRate(
          pgs,
          options.writeSeconds,
          (r, i) => `w${r}-${i % 1000}@example.com`,
        ),
        same: await writeRate(pgs, options.writeSeconds, () => "same@example.com"),
      },
    };
    return result;
  } finally {
    const sql = (await import("postgres")).default(databaseUrl, { max: 1, onnotice: () => {} });
    await Promise.all(pgs.map((pg) => pg.close()));
    await sql.unsafe(`drop schema if exists "${schema}" cascade`);
    await sql.end();
    await rm(dir, { recursive: true, force: true });
  }
}
