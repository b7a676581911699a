// The token state as rows: one table per part of `TokenState`, changes as
// diffs (what a write changed, which is also what NOTIFY carries).
import type { ApiTokenRecord, TokenState } from "../src/stores/token_store.ts";
import type { Queryable } from "./_sql.ts";

type Part = keyof TokenState;

/** What one write changed, per part: entries set and keys deleted. */
export type Diff = { [P in Part]?: { set?: TokenState[P]; del?: string[] } };

const TABLES: Record<Part, { table: string; key: string; column: string }> = {
  revoked_ids: { table: "revoked_ids", key: "id", column: "expires_at" },
  revoked_accounts: { table: "revoked_accounts", key: "email", column: "revoked_before" },
  api_tokens: { table: "api_tokens", key: "id", column: "record" },
};
const PARTS = Object.keys(TABLES) as Part[];

/** A state with nothing in it (prototype-less records, as the file store makes). */
export function emptyState(): TokenState {
  return {
    revoked_ids: Object.create(null),
    revoked_accounts: Object.create(null),
    api_tokens: Object.create(null),
  };
}

/** Reads the whole state (`s`: the quoted schema). */
export async function readState(sql: Queryable, s: string): Promise<TokenState> {
  const state = emptyState();
  for (const part of PARTS) {
    const { table, key, column } = TABLES[part];
    const rows = await sql.unsafe(`select ${key} as k, ${column} as v from ${s}.${table}`);
    const into = state[part] as Record<string, unknown>;
    for (const row of rows) into[row.k] = part === "api_tokens" ? row.v : Number(row.v);
  }
  return state;
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

/** Writes a diff (`s`: the quoted schema). */
export async function writeDiff(sql: Queryable, s: string, diff: Diff): Promise<void> {
  for (const part of PARTS) {
    const change = diff[part];
    if (change === undefined) continue;
    const { table, key, column } = TABLES[part];
    if (change.del?.length) {
      await sql.unsafe(`delete from ${s}.${table} where ${key} = any($1)`, [change.del]);
    }
    for (const [k, v] of Object.entries(change.set ?? {})) {
      if (part === "api_tokens") {
        const record = v as ApiTokenRecord;
        await sql.unsafe(
          `insert into ${s}.api_tokens (id, record, expires_at) values ($1, $2, $3)
           on conflict (id) do update set record = excluded.record, expires_at = excluded.expires_at`,
          [k, sql.json(record as never), record.expires_at],
        );
      } else {
        await sql.unsafe(
          `insert into ${s}.${table} (${key}, ${column}) values ($1, $2)
           on conflict (${key}) do update set ${column} = excluded.${column}`,
          [k, v as number],
        );
      }
    }
  }
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
