// The revocation state as rows and its change log, in single statements:
// each change writes its row, bumps the revision and appends the log entry
// in one statement (one atomic commit, no connection held across round trips:
// a connection lost in the middle of a transaction can crash the process in
// postgres.js 3.4, porsager/postgres#1208). The NOTIFY sent with it carries
// the revision only, as a hint to look: readers read the log.
import type { ApiTokenRecord, TokenChange, TokenChanges } from "../src/stores/token_store.ts";
import type { Sql } from "./_sql.ts";

/** What every write needs: the client, the quoted schema, the channel, the clock's now (ms). */
export interface Writer {
  sql: Sql;
  s: string;
  channel: string;
  now: number;
}

const PREPARE = { prepare: true } as const;

/**
 * Bumps the token revision, appends `entry` (a jsonb expression over the
 * `row` CTE) and notifies, after `row` (a data-modifying CTE) wrote; `when`:
 * a condition for writing the entry at all.
 */
function logged(s: string, row: string, entry: string, when = "true"): string {
  return `with row as (${row}),
   bump as (update ${s}.revisions set rev = rev + 1
            where name = 'tokens' and ${when} returning rev),
   entry as (insert into ${s}.token_log (rev, at, change)
             select bump.rev, $at::float8, ${entry} from bump, row)
   select pg_notify($ch, 't ' || rev) from bump`;
}

async function write(w: Writer, query: string, params: Record<string, unknown>): Promise<void> {
  // Named parameters ($at, $ch, …) become positional ones.
  const names: string[] = [];
  const text = query.replace(/\$([a-z]+)/g, (_, name: string) => {
    if (!names.includes(name)) names.push(name);
    return `$${names.indexOf(name) + 1}`;
  });
  const values: Record<string, unknown> = { ...params, at: w.now, ch: w.channel };
  await w.sql.unsafe(text, names.map((n) => values[n]) as never[], PREPARE);
}

/** Revokes `id` until `until` (the later of two revocations stays). */
export function revokeId(w: Writer, id: string, until: number): Promise<void> {
  const { s } = w;
  return write(
    w,
    logged(
      s,
      `insert into ${s}.revoked_ids as r (id, expires_at) values ($id, $until::float8)
       on conflict (id) do update set expires_at = greatest(r.expires_at, excluded.expires_at)
       returning id, expires_at`,
      `jsonb_build_object('kind', 'revoke_id', 'id', row.id, 'until', row.expires_at)`,
    ),
    { id, until },
  );
}

/** Revokes what `email` was issued at or before `before` (s), until `until` (ms). */
export function revokeAccount(w: Writer, email: string, before: number, until: number) {
  const { s } = w;
  return write(
    w,
    logged(
      s,
      `insert into ${s}.revoked_accounts as a (email, revoked_before, until)
       values ($email, $before::float8, $until::float8)
       on conflict (email) do update set
         revoked_before = greatest(a.revoked_before, excluded.revoked_before),
         until = greatest(a.until, excluded.until)
       returning email, revoked_before, until`,
      `jsonb_build_object('kind', 'revoke_account', 'email', row.email,
         'before', row.revoked_before, 'until', row.until)`,
    ),
    { email, before, until },
  );
}

/** Records an API token. */
export function addApiToken(w: Writer, record: ApiTokenRecord): Promise<void> {
  const { s } = w;
  return write(
    w,
    logged(
      s,
      `insert into ${s}.api_tokens (id, record, expires_at)
       values ($id, $record::jsonb, $expires::float8)
       on conflict (id) do update set record = excluded.record, expires_at = excluded.expires_at
       returning record, expires_at`,
      `jsonb_build_object('kind', 'api_token', 'record', row.record, 'until', row.expires_at * 1000)`,
    ),
    { id: record.id, record: w.sql.json(record as never), expires: record.expires_at },
  );
}

/** Removes an API token's record; logs nothing when there was none. */
export function removeApiToken(w: Writer, id: string): Promise<void> {
  const { s } = w;
  return write(
    w,
    logged(
      s,
      `delete from ${s}.api_tokens where id = $id returning id`,
      `jsonb_build_object('kind', 'remove_api_token', 'id', row.id)`,
      "exists (select 1 from row)",
    ),
    { id },
  );
}

/**
 * The log after `revision`, in one statement (one snapshot), or `undefined`
 * when the reader must read the whole state: no revision, one older than the
 * log keeps, or one this log never reached (another database, a restored backup).
 */
export async function changesAfter(
  sql: Sql,
  s: string,
  revision: number | undefined,
): Promise<TokenChanges | undefined> {
  if (revision === undefined) return undefined;
  const [row] = await sql.unsafe(
    `select r.rev, r.horizon,
       (select coalesce(jsonb_agg(change order by rev), '[]') from ${s}.token_log
        where rev > $1) as changes
     from ${s}.revisions r where name = 'tokens'`,
    [revision],
    PREPARE,
  );
  if (row === undefined) throw new Error("the token log query returned no row");
  const rev = Number(row.rev);
  if (revision < Number(row.horizon) || revision > rev) return undefined;
  return { revision: rev, reset: false, changes: (row.changes as TokenChange[]).map(ordered) };
}

/** The unexpired rows as changes, and the revision they are at, in one statement. */
export async function wholeState(sql: Sql, s: string, now: number): Promise<TokenChanges> {
  const [row] = await sql.unsafe(
    `select (select rev from ${s}.revisions where name = 'tokens') as rev,
       (select coalesce(jsonb_agg(jsonb_build_object('kind', 'revoke_id', 'id', id,
          'until', expires_at)), '[]') from ${s}.revoked_ids where expires_at > $1) as ids,
       (select coalesce(jsonb_agg(jsonb_build_object('kind', 'revoke_account', 'email', email,
          'before', revoked_before, 'until', until)), '[]')
        from ${s}.revoked_accounts where until > $1) as accounts,
       (select coalesce(jsonb_agg(jsonb_build_object('kind', 'api_token', 'record', record,
          'until', expires_at * 1000)), '[]') from ${s}.api_tokens where expires_at * 1000 > $1)
        as api`,
    [now],
    PREPARE,
  );
  if (row === undefined) throw new Error("the token state query returned no row");
  return {
    revision: Number(row.rev),
    reset: true,
    changes: ([...row.ids, ...row.accounts, ...row.api] as TokenChange[]).map(ordered),
  };
}

/** `change` with its fields in the order `TokenChange` lists them (jsonb sorts keys its own way). */
function ordered(change: TokenChange): TokenChange {
  switch (change.kind) {
    case "revoke_id":
      return { kind: change.kind, id: change.id, until: change.until };
    case "revoke_account":
      return { kind: change.kind, email: change.email, before: change.before, until: change.until };
    case "api_token":
      return { kind: change.kind, record: change.record, until: change.until };
    case "remove_api_token":
      return { kind: change.kind, id: change.id };
  }
}

/** How many expired rows one sweep deletes per table at most (the next sweep takes the rest). */
const SWEEP_LIMIT = 1000;

/**
 * Deletes expired rows (through the indexes on their expiry, a bounded number
 * per table) and the log entries older than `oldest` (ms), moving the
 * horizon past them.
 */
export async function sweep(sql: Sql, s: string, now: number, oldest: number): Promise<void> {
  const expired = (table: string, key: string, column: string, at: string) =>
    `${table} as (delete from ${s}.${table} where ${key} in
       (select ${key} from ${s}.${table} where ${column} <= ${at} limit ${SWEEP_LIMIT}))`;
  await sql.unsafe(
    `with ${expired("revoked_ids", "id", "expires_at", "$1")},
       ${expired("revoked_accounts", "email", "until", "$1")},
       ${expired("api_tokens", "id", "expires_at", "$1 / 1000")},
       ${expired("grants", "id", "expires_at", "$1 / 1000")},
       ${expired("used_once", "key", "until", "$1")},
       pruned as (delete from ${s}.token_log where at <= $2 returning rev)
     update ${s}.revisions set horizon = greatest(horizon, (select max(rev) from pruned))
     where name = 'tokens' and exists (select 1 from pruned)`,
    [now, oldest],
    PREPARE,
  );
}

/** Records `key` as used until `until` (ms); whether it was unused (or its record had ended). */
export async function useOnce(
  sql: Sql,
  s: string,
  key: string,
  until: number,
  now: number,
): Promise<boolean> {
  const rows = await sql.unsafe(
    `insert into ${s}.used_once as u (key, until) values ($1, $2)
     on conflict (key) do update set until = excluded.until where u.until <= $3
     returning key`,
    [key, until, now],
    PREPARE,
  );
  return rows.length === 1;
}
