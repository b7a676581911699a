// The token state of SqliteStore as rows: each operation is a few statements
// run inside one write transaction of `Connection`, appending its change to
// the log; expired rows are dropped by indexed deletes, a bounded number per
// write (never a scan of a table).
import type { Connection } from "./_sqlite.ts";
import type { GrantRecord } from "./_grant_records.ts";
import type { ApiTokenRecord, TokenChange } from "./token_store.ts";

/** Expired rows dropped per table and write: bounded work, and still faster than rows expire. */
const SWEEP_LIMIT = 64;

/** Log entries pruned per write. */
const PRUNE_LIMIT = 256;

/** Appends `body` to the log (kind "t": token state, "c": capabilities). */
export function append(c: Connection, kind: "t" | "c", body: unknown, now: number): void {
  c.sql("insert into log (at, kind, body) values (?, ?, ?)").run(now, kind, JSON.stringify(body));
}

/** Revokes an id, keeping the later expiry; returns the change logged. */
export function revokeId(c: Connection, id: string, until: number, now: number): TokenChange {
  const row = c.sql(
    `insert into revoked_ids (id, until) values (?, ?)
     on conflict (id) do update set until = max(until, excluded.until) returning until`,
  ).get(id, until)!;
  const change: TokenChange = { kind: "revoke_id", id, until: Number(row.until) };
  append(c, "t", change, now);
  return change;
}

/** Revokes an account as of `before`, keeping the later of two; returns the change logged. */
export function revokeAccount(
  c: Connection,
  email: string,
  before: number,
  until: number,
  now: number,
): TokenChange {
  const row = c.sql(
    `insert into revoked_accounts (email, before, until) values (?, ?, ?)
     on conflict (email) do update set before = max(before, excluded.before),
       until = max(until, excluded.until)
     returning before, until`,
  ).get(email, before, until)!;
  const change: TokenChange = {
    kind: "revoke_account",
    email,
    before: Number(row.before),
    until: Number(row.until),
  };
  append(c, "t", change, now);
  return change;
}

/** Records an API token. */
export function addApiToken(c: Connection, record: ApiTokenRecord, now: number): void {
  const until = record.expires_at * 1000;
  c.sql("insert or replace into api_tokens (id, record, until) values (?, ?, ?)")
    .run(record.id, JSON.stringify(record), until);
  append(c, "t", { kind: "api_token", record, until }, now);
}

/** Removes an API token's record, logging it only when there was one. */
export function removeApiToken(c: Connection, id: string, now: number): void {
  const { changes } = c.sql("delete from api_tokens where id = ?").run(id);
  if (Number(changes) > 0) append(c, "t", { kind: "remove_api_token", id }, now);
}

/** The live token state as changes (for a reader that must reload). */
export function snapshot(c: Connection, now: number): TokenChange[] {
  const changes: TokenChange[] = [];
  for (const row of c.sql("select id, until from revoked_ids where until > ?").all(now)) {
    changes.push({ kind: "revoke_id", id: String(row.id), until: Number(row.until) });
  }
  const accounts = c.sql("select email, before, until from revoked_accounts where until > ?");
  for (const row of accounts.all(now)) {
    changes.push({
      kind: "revoke_account",
      email: String(row.email),
      before: Number(row.before),
      until: Number(row.until),
    });
  }
  for (const row of c.sql("select record, until from api_tokens where until > ?").all(now)) {
    const record = JSON.parse(String(row.record)) as ApiTokenRecord;
    changes.push({ kind: "api_token", record, until: Number(row.until) });
  }
  return changes;
}

/** The revision below which entries were pruned: a reader behind it reloads. */
export function horizon(c: Connection): number {
  return Number(c.sql("select value from meta where key = 'horizon'").get()!.value);
}

/** The bodies of the entries of `kind` after `since`, up to `until`, in order. */
export function entries(c: Connection, kind: "t" | "c", since: number, until: number): unknown[] {
  return c.sql("select body from log where rev > ? and rev <= ? and kind = ? order by rev")
    .all(since, until, kind).map((row) => JSON.parse(String(row.body)));
}

/** Prunes old log entries and drops expired rows, a bounded number of each. */
export function sweep(c: Connection, now: number, retention: number): void {
  const pruned = c.sql(
    `delete from log where rev in (select rev from log where at <= ? order by at limit ${PRUNE_LIMIT})
     returning rev`,
  ).all(now - retention);
  if (pruned.length > 0) {
    const last = Math.max(...pruned.map((row) => Number(row.rev)));
    c.sql("update meta set value = max(value, ?) where key = 'horizon'").run(last);
  }
  for (const [table, column] of EXPIRING) {
    c.sql(
      `delete from ${table} where ${column} in
       (select ${column} from ${table} where until <= ? limit ${SWEEP_LIMIT})`,
    ).run(now);
  }
  c.sql(
    `delete from grants where id in
     (select id from grants where expires_at <= ? limit ${SWEEP_LIMIT})`,
  ).run(now / 1000);
}

const EXPIRING = [
  ["revoked_ids", "id"],
  ["revoked_accounts", "email"],
  ["api_tokens", "id"],
  ["used_once", "key"],
] as const;

/** True the first time `key` is recorded while its record lasts. */
export function useOnce(c: Connection, key: string, until: number, now: number): boolean {
  c.sql("delete from used_once where key = ? and until <= ?").run(key, now);
  const { changes } = c.sql(
    "insert into used_once (key, until) values (?, ?) on conflict do nothing",
  )
    .run(key, until);
  return Number(changes) === 1;
}

/** The unexpired grant record `id`. */
export function getGrant(c: Connection, id: string, now: number): GrantRecord | undefined {
  const row = c.sql("select * from grants where id = ? and expires_at > ?").get(id, now / 1000);
  return row ? grantOf(row) : undefined;
}

/** The unexpired grant records of `email`. */
export function grantsOf(c: Connection, email: string, now: number): GrantRecord[] {
  return c.sql("select * from grants where email = ? and expires_at > ?").all(email, now / 1000)
    .map(grantOf);
}

/** The stored version of `id` (0 when absent or expired). */
export function grantVersion(c: Connection, id: string, now: number): number {
  const row = c.sql("select version from grants where id = ? and expires_at > ?").get(
    id,
    now / 1000,
  );
  return row ? Number(row.version) : 0;
}

/** Writes a grant record (deletes it when it is written already expired). */
export function writeGrant(c: Connection, record: GrantRecord, now: number): void {
  if (record.expires_at * 1000 <= now) {
    c.sql("delete from grants where id = ?").run(record.id);
    return;
  }
  c.sql(
    "insert or replace into grants (id, email, version, expires_at, data) values (?, ?, ?, ?, ?)",
  ).run(record.id, record.email, record.version, record.expires_at, JSON.stringify(record.data));
}

function grantOf(row: Record<string, unknown>): GrantRecord {
  return ({
    id: String(row.id),
    email: String(row.email),
    version: Number(row.version),
    expires_at: Number(row.expires_at),
    data: JSON.parse(String(row.data)),
  });
}
