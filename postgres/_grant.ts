// Per-grant records (one login's state at the provider) in PostgreSQL:
// compare-and-set on a version, one statement each.
import type { GrantRecord } from "../src/stores/token_store.ts";
import type { Sql } from "./_sql.ts";

function record(row: Record<string, unknown>): GrantRecord {
  return {
    id: row.id as string,
    email: row.email as string,
    version: Number(row.version),
    expires_at: Number(row.expires_at),
    data: row.data as Record<string, unknown>,
  };
}

/** One unexpired record. */
export async function getGrant(
  sql: Sql,
  schema: string,
  id: string,
  now: number,
): Promise<GrantRecord | undefined> {
  const [row] = await sql.unsafe(
    `select * from "${schema}".grants where id = $1 and expires_at > $2`,
    [id, now],
  );
  return row && record(row);
}

/** The unexpired records of one account. */
export async function grantsOf(
  sql: Sql,
  schema: string,
  email: string,
  now: number,
): Promise<GrantRecord[]> {
  const rows = await sql.unsafe(
    `select * from "${schema}".grants where email = $1 and expires_at > $2 order by id`,
    [email, now],
  );
  return rows.map(record);
}

/**
 * Writes `r` if the stored unexpired version is `expected` (0: none stored,
 * or only an expired record, which it replaces); whether it did.
 */
export async function putGrant(
  sql: Sql,
  schema: string,
  r: GrantRecord,
  expected: number,
  now: number,
): Promise<boolean> {
  const values = [r.id, r.email, r.version, r.expires_at, sql.json(r.data as never)];
  const rows = expected === 0
    ? await sql.unsafe(
      `insert into "${schema}".grants as g (id, email, version, expires_at, data)
       values ($1, $2, $3, $4, $5)
       on conflict (id) do update set email = excluded.email, version = excluded.version,
         expires_at = excluded.expires_at, data = excluded.data
       where g.expires_at <= $6 returning id`,
      [...values, now],
    )
    : await sql.unsafe(
      `update "${schema}".grants set email = $2, version = $3, expires_at = $4, data = $5
       where id = $1 and version = $6 and expires_at > $7 returning id`,
      [...values, expected, now],
    );
  return rows.length === 1;
}
