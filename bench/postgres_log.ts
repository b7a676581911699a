// Section 8, "PostgreSQL at scale": what a write and a catch-up cost when the
// database already holds many records. Each size gets a schema of its own,
// filled in bulk (revoked ids with their log entries, grant records); then
// minting (the grant record a login writes) and revoking are timed, and a
// second replica's catch-up after one change. A write costs what it changes
// and a catch-up what changed, so the largest size should cost about what the
// smallest does.
import postgres from "postgres";
import { PostgresStore } from "../postgres/mod.ts";
import { median } from "./_measure.ts";
import type { Figure, Section } from "./_report.ts";

/** Sizes of the run. */
export interface PostgresLogOptions {
  /** Existing records per size (revoked ids, and as many grant records). */
  sizes: number[];
  /** Operations timed per kind and size. */
  ops: number;
}

/** One size's medians, in ms. */
export interface SizeResult {
  size: number;
  mintMs: number;
  revokeMs: number;
  catchUpMs: number;
}

/** What the section measured. */
export interface PostgresLogResult {
  sizes: SizeResult[];
}

const DAY = 86_400_000;

/** Fills `schema` with `size` revoked ids (and their log entries) and `size` grant records. */
async function fill(sql: postgres.Sql, schema: string, size: number): Promise<void> {
  const s = `"${schema}"`;
  const now = Date.now();
  await sql.unsafe(
    `insert into ${s}.revoked_ids (id, expires_at)
     select 'old' || i, $1::float8 + i from generate_series(1, $2::int) as i`,
    [now + DAY, size],
  );
  await sql.unsafe(
    `insert into ${s}.token_log (rev, at, change)
     select i, $1::float8, jsonb_build_object('kind', 'revoke_id', 'id', 'old' || i, 'until', $2::float8 + i)
     from generate_series(1, $3::int) as i`,
    [now, now + DAY, size],
  );
  await sql.unsafe(`update ${s}.revisions set rev = $1 where name = 'tokens'`, [size]);
  await sql.unsafe(
    `insert into ${s}.grants (id, email, version, expires_at, data)
     select 'g' || i, 'user' || (i % 1000) || '@example.com', 1, $1::float8, '{"sealed":"x"}'
     from generate_series(1, $2::int) as i`,
    [(now + DAY) / 1000, size],
  );
  await sql.unsafe(`analyze ${s}.revoked_ids, ${s}.token_log, ${s}.grants`);
}

async function timed(ops: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ops; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return median(times);
}

async function measureSize(url: string, size: number, ops: number): Promise<SizeResult> {
  const schema = `bench_log_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const a = await PostgresStore.connect(url, { schema, log: () => {} });
  try {
    await fill(sql, schema, size);
    const b = await PostgresStore.connect(url, { schema, log: () => {} });
    try {
      const until = Date.now() + DAY;
      const tag = crypto.randomUUID().slice(0, 8);
      // Warm the connections and the statements.
      for (let i = 0; i < 5; i++) {
        await a.tokens.revokeId(`warm${tag}${i}`, until);
        await b.tokens.changesSince((await b.tokens.changesSince()).revision);
      }
      const mintMs = await timed(ops, (i) =>
        a.tokens.putGrant({
          id: `new${tag}${i}`,
          email: `user${i % 1000}@example.com`,
          version: 1,
          expires_at: until / 1000,
          data: { sealed: "x" },
        }, 0));
      const revokeMs = await timed(ops, (i) => a.tokens.revokeId(`rev${tag}${i}`, until));
      let at = (await b.tokens.changesSince()).revision;
      const catchUps: number[] = [];
      for (let i = 0; i < ops; i++) {
        await a.tokens.revokeId(`one${tag}${i}`, until);
        const start = performance.now();
        const read = await b.tokens.changesSince(at);
        catchUps.push(performance.now() - start);
        if (read.reset || read.changes.length !== 1) throw new Error("the catch-up read too much");
        at = read.revision;
      }
      return { size, mintMs, revokeMs, catchUpMs: median(catchUps) };
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
    await sql.unsafe(`drop schema if exists "${schema}" cascade`);
    await sql.end();
  }
}

/** Runs the section against the database at `url`. */
export async function postgresLog(
  url: string,
  options: PostgresLogOptions,
): Promise<PostgresLogResult> {
  const sizes: SizeResult[] = [];
  for (const size of options.sizes) sizes.push(await measureSize(url, size, options.ops));
  return { sizes };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const count = (n: number) => n >= 1000 ? `${n / 1000}k` : String(n);

/** The section's figures, each with its target. */
export function postgresLogSection(r: PostgresLogResult | { skipped: string }): Section {
  const title = "8. PostgreSQL at scale: writes and catch-up with many existing records";
  if ("skipped" in r) {
    return {
      title,
      figures: [{
        id: "postgres_log",
        label: "PostgreSQL figures",
        value: NaN,
        unit: "ratio",
        invalid: `not measured: ${r.skipped}`,
      }],
    };
  }
  const first = r.sizes[0], last = r.sizes[r.sizes.length - 1];
  const growth = (kind: "mint" | "revoke", key: "mintMs" | "revokeMs"): Figure => ({
    id: `postgres_log.${kind}_growth`,
    label: `${kind === "mint" ? "mint a token (its grant record)" : "revoke a token"}: ${
      count(last.size)
    } ÷ ${count(first.size)} existing records`,
    value: last[key] / first[key],
    unit: "ratio",
    detail: r.sizes.map((s) => `${count(s.size)}: ${ms(s[key])}`).join(", "),
    target: "≤ 1.3×",
    pass: last[key] / first[key] <= 1.3,
  });
  return {
    title,
    figures: [
      growth("mint", "mintMs"),
      growth("revoke", "revokeMs"),
      {
        id: "postgres_log.catch_up",
        label: `a replica's catch-up after one change, ${count(last.size)} revoked ids`,
        value: last.catchUpMs,
        unit: "ms",
        detail: r.sizes.map((s) => `${count(s.size)}: ${ms(s.catchUpMs)}`).join(", "),
        target: "≤ 5 ms",
        pass: last.catchUpMs <= 5,
      },
    ],
  };
}
