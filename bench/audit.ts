// The audit trail's two targets: a page of a 100k-entry history in 50 ms or
// less (SQLite: first page, filtered pages, deep cursor pages), and recording
// an entry adds at most 10% to a capability write through the routes (the
// same run, with and without the trail, interleaved).
//
// Usage: deno run -A audit.ts [--json]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import process from "node:process";
import { Hono } from "hono";
import postgres from "postgres";
import {
  type AuditLog,
  type AuditQuery,
  type OAuthEnv,
  OAuthManager,
  SqliteAuditLog,
} from "../mod.ts";
import { PostgresAuditLog } from "../postgres/mod.ts";
import { compare, medianMs } from "./_measure.ts";

const ENTRIES = 100_000;
const ACCOUNTS = 5_000;
const ACTORS = 50;

async function historyPaging(dir: string) {
  const file = join(dir, "trail.db");
  const log = new SqliteAuditLog(file);
  await log.query({}); // creates the table
  const db = new DatabaseSync(file);
  const insert = db.prepare(
    "INSERT INTO easy_oauth_audit (at, kind, account, actor, entry) VALUES (?, ?, ?, ?, ?)",
  );
  const start = Date.now() - ENTRIES * 1000;
  db.exec("BEGIN");
  for (let i = 0; i < ENTRIES; i++) {
    const record = {
      at: start + i * 1000,
      kind: "capabilities_changed",
      account: `u${i % ACCOUNTS}@example.com`,
      actor: { email: `m${i % ACTORS}@example.com`, credential: "session", address: "10.0.0.7" },
      via: "api",
      before: ["read"],
      after: ["read", "write"],
    };
    insert.run(record.at, record.kind, record.account, record.actor.email, JSON.stringify(record));
  }
  db.exec("COMMIT");
  db.close();
  const results = await timePages(log, start);
  log.close();
  return results;
}

/** The same 100k entries in PostgreSQL (when DATABASE_URL is set), in a schema of their own. */
async function postgresPaging(url: string) {
  const schema = `bench_audit_${Date.now()}`;
  const log = await PostgresAuditLog.connect(url, { schema });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const start = Date.now() - ENTRIES * 1000;
  try {
    await sql.unsafe(
      `insert into "${schema}".audit (at, kind, account, actor, entry)
       select ${start} + i * 1000, 'capabilities_changed', 'u' || (i % ${ACCOUNTS}) || '@example.com',
              'm' || (i % ${ACTORS}) || '@example.com',
              jsonb_build_object('at', ${start} + i * 1000, 'kind', 'capabilities_changed',
                'account', 'u' || (i % ${ACCOUNTS}) || '@example.com', 'via', 'api',
                'actor', jsonb_build_object('email', 'm' || (i % ${ACTORS}) || '@example.com',
                  'credential', 'session'), 'before', '["read"]'::jsonb, 'after', '["read","write"]'::jsonb)
       from generate_series(0, ${ENTRIES - 1}) i;
       analyze "${schema}".audit`,
    );
    return await timePages(log, start);
  } finally {
    await sql.unsafe(`drop schema "${schema}" cascade`);
    await Promise.all([log.close(), sql.end({ timeout: 1 })]);
  }
}

async function timePages(log: AuditLog, start: number) {
  const queries: Record<string, AuditQuery | undefined> = {
    "first page (50)": {},
    "one account": { account: "u7@example.com" },
    "one actor": { actor: "m3@example.com" },
    "a day's range": { since: start + 50_000_000, until: start + 50_086_400 },
    "page 1000 of all (cursor)": undefined,
  };
  const results: Record<string, number> = {};
  for (const [name, query] of Object.entries(queries)) {
    if (query === undefined) {
      // Walk to a deep page first; then time the next pages from there.
      let cursor: string | undefined;
      for (let i = 0; i < 1000; i++) cursor = (await log.query({ limit: 50, cursor })).next;
      const deep = cursor;
      results[name] = (await medianMs(50, () => log.query({ limit: 50, cursor: deep }))).ms;
    } else {
      results[name] = (await medianMs(50, () => log.query({ ...query, limit: 50 }))).ms;
    }
  }
  return results;
}

const noTrail: AuditLog = {
  append: (record) => Promise.resolve({ ...record, seq: 0 }),
  query: () => Promise.resolve({ entries: [] }),
};

async function recordingCost(dir: string) {
  const apps = await Promise.all([undefined, noTrail].map(async (audit, i) => {
    const userFile = join(dir, `caps${i}.yaml`);
    await writeFile(userFile, "boss@example.com: [admin]\n");
    const oauth = new OAuthManager({
      forceUser: { email: "boss@example.com" },
      secretKey: "AfvT0f6xm_tuy-vevJvnGFB67dGFn2bm95Fiu378EeE",
      capabilities: { graph: { read: [], write: ["read"], user_management: [] }, userFile },
      ...(audit ? { audit } : {}),
      log: () => {},
    });
    const app = new Hono<OAuthEnv>();
    oauth.install(app);
    return app;
  }));
  let n = 0;
  const write = (app: Hono<OAuthEnv>) => async () => {
    const email = `u${n++ % 500}@example.com`;
    const capability = n % 2 ? "write" : "read";
    const res = await app.request("/manage_capabilities/set", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, capabilities: [capability] }),
    });
    if (res.status !== 200) throw new Error(`set answered ${res.status}`);
  };
  const timings = await compare([
    { name: "capability write, no trail", run: write(apps[1]) },
    {
      name: "capability write + SQLite entry",
      run: write(apps[0]),
      baseline: "capability write, no trail",
    },
  ], { rounds: 15, batch: 20, warmup: 40 });
  return Object.fromEntries(timings);
}

const dir = await mkdtemp(join(tmpdir(), "easy-oauth-audit-bench-"));
try {
  const paging = await historyPaging(dir);
  const url = process.env.DATABASE_URL;
  const pgPaging = url ? await postgresPaging(url) : undefined;
  const recording = await recordingCost(dir);
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ paging, pgPaging, recording }, null, 2));
  } else {
    console.log(`History of ${ENTRIES} entries in SQLite, a page of 50 (target: ≤ 50 ms):`);
    for (const [name, ms] of Object.entries(paging)) console.log(`  ${name}: ${ms.toFixed(2)} ms`);
    if (pgPaging) {
      console.log(`The same in PostgreSQL (target: ≤ 50 ms):`);
      for (const [name, ms] of Object.entries(pgPaging)) {
        console.log(`  ${name}: ${ms.toFixed(2)} ms`);
      }
    } else console.log("PostgreSQL: skipped (DATABASE_URL is not set)");
    console.log("Recording an entry with a capability write (target: ≤ 1.10×):");
    for (const [name, t] of Object.entries(recording)) {
      console.log(
        `  ${name}: ${(t.us / 1000).toFixed(2)} ms, ${t.ratio.toFixed(3)}× (spread ${
          t.spread.toFixed(2)
        })`,
      );
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
