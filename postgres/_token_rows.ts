// The token state as rows: one table per part of `TokenState`, changes as
// diffs (what a write changed, which is also what NOTIFY carries). Reads and
// writes are single statements: one snapshot, one atomic commit, and no
// connection held across round trips (a connection lost in the middle of a
// transaction can crash the process in postgres.js 3.4: porsager/postgres#1208).
import type { TokenState } from "../src/stores/token_store.ts";
import type { Sql } from "./_sql.ts";

type Part = keyof TokenState;

/** What one write changed, per part: entries set and keys deleted. */
export type Diff = { [P in Part]?: { set?: TokenState[P]; del?: string[] } };

const PARTS: readonly Part[] = ["revoked_ids", "revoked_accounts", "api_tokens"];

/** A state with nothing in it (prototype-less records, as the file store makes). */
export function emptyState(): TokenState {
  return {
    revoked_ids: Object.create(null),
    revoked_accounts: Object.create(null),
    api_tokens: Object.create(null),
  };
}

/** Reads the whole state and its revision in one statement (`s`: the quoted schema). */
export async function readState(sql: Sql, s: string): Promise<{ state: TokenState; rev: number }> {
  const [row] = await sql.unsafe(`select
    (select rev from ${s}.token_state) as rev,
    (select coalesce(jsonb_object_agg(id, expires_at), '{}') from ${s}.revoked_ids) as revoked_ids,
    (select coalesce(jsonb_object_agg(email, revoked_before), '{}') from ${s}.revoked_accounts)
      as revoked_accounts,
    (select coalesce(jsonb_object_agg(id, record), '{}') from ${s}.api_tokens) as api_tokens`);
  if (row === undefined) throw new Error("the token state query returned no row");
  const state = emptyState();
  for (const part of PARTS) Object.assign(state[part], row[part]);
  return { state, rev: Number(row.rev) };
}

/** What changed from `before` to `after`, or `undefined` when nothing did. */
export function diffStates(before: TokenState, after: TokenState): Diff | undefined {
  const diff: Diff = {};
  let changed = false;
  for (const part of PARTS) {
    const old = before[part] as Record<string, unknown>;
    const now = after[part] as Record<string, unknown>;
    const set: Record<string, unknown> = {};
    const del = Object.keys(old).filter((k) => !Object.hasOwn(now, k));
    for (const [k, v] of Object.entries(now)) {
      if (!Object.hasOwn(old, k) || JSON.stringify(old[k]) !== JSON.stringify(v)) set[k] = v;
    }
    if (del.length === 0 && Object.keys(set).length === 0) continue;
    changed = true;
    (diff as Record<string, unknown>)[part] = { set, del };
  }
  return changed ? diff : undefined;
}

/**
 * Writes `diff` and moves the revision from `rev` to `rev + 1`, publishing
 * `payload`, in one statement; nothing when the stored revision is not `rev`.
 *
 * @returns Whether it wrote.
 */
export async function writeDiff(
  sql: Sql,
  s: string,
  rev: number,
  diff: Diff,
  notify: { channel: string; payload: string },
): Promise<boolean> {
  const part = (p: Part) => ({
    set: sql.json((diff[p]?.set ?? {}) as never),
    del: diff[p]?.del ?? [],
  });
  const ids = part("revoked_ids"), accounts = part("revoked_accounts"), api = part("api_tokens");
  const ok = "exists (select 1 from bump)";
  const rows = await sql.unsafe(
    `with bump as (update ${s}.token_state set rev = rev + 1 where rev = $1 returning rev),
     d1 as (delete from ${s}.revoked_ids where ${ok} and id = any($2::text[])),
     s1 as (insert into ${s}.revoked_ids (id, expires_at)
            select key, (value #>> '{}')::float8 from jsonb_each($3::jsonb) where ${ok}
            on conflict (id) do update set expires_at = excluded.expires_at),
     d2 as (delete from ${s}.revoked_accounts where ${ok} and email = any($4::text[])),
     s2 as (insert into ${s}.revoked_accounts (email, revoked_before)
            select key, (value #>> '{}')::float8 from jsonb_each($5::jsonb) where ${ok}
            on conflict (email) do update set revoked_before = excluded.revoked_before),
     d3 as (delete from ${s}.api_tokens where ${ok} and id = any($6::text[])),
     s3 as (insert into ${s}.api_tokens (id, record, expires_at)
            select key, value, (value ->> 'expires_at')::float8 from jsonb_each($7::jsonb)
            where ${ok}
            on conflict (id) do update set record = excluded.record, expires_at = excluded.expires_at)
     select pg_notify($8, $9) from bump`,
    [
      rev,
      ids.del,
      ids.set,
      accounts.del,
      accounts.set,
      api.del,
      api.set,
      notify.channel,
      notify.payload,
    ],
  );
  return rows.length === 1;
}

/** Applies a diff to a state in place. */
export function applyDiff(state: TokenState, diff: Diff): void {
  for (const part of PARTS) {
    const change = diff[part];
    if (change === undefined) continue;
    const into = state[part] as Record<string, unknown>;
    for (const k of change.del ?? []) delete into[k];
    Object.assign(into, change.set ?? {});
  }
}
