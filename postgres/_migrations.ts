// The schema, created or brought up to date by `PostgresStore` when it
// connects. Each step runs once (recorded in `<schema>.migrations`); all run
// under one advisory lock, so two replicas starting at once do not collide.
import type { Sql } from "./_sql.ts";

/**
 * The steps, in order; `{s}` is the quoted schema. Never edit a released step:
 * add one. Timestamps are numbers as `TokenState` has them (ms or s).
 */
const STEPS: readonly string[] = [
  `create table {s}.capabilities (
     email text primary key,
     capabilities text[],           -- null: deleted (kept a day so replicas order changes by rev)
     rev bigint not null,           -- +1 on each write of this account
     pos bigserial not null,        -- storage order, as a file keeps it
     changed_at timestamptz not null default now()
   );
   create table {s}.token_state (id int primary key check (id = 1), rev bigint not null);
   insert into {s}.token_state values (1, 0);
   create table {s}.revoked_ids (id text primary key, expires_at double precision not null);
   create table {s}.revoked_accounts (email text primary key, revoked_before double precision not null);
   create table {s}.api_tokens (id text primary key, record jsonb not null, expires_at double precision not null);
   create table {s}.grants (
     id text primary key,
     email text not null,
     version integer not null,
     expires_at double precision not null,
     data jsonb not null
   );
   create index on {s}.grants (email);`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = STEPS.length;

/**
 * Creates the schema and its tables when missing, applies the steps not yet
 * applied, and refuses a schema newer than this code.
 */
export async function migrate(sql: Sql, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await sql.begin(async (tx) => {
    await tx`set local client_min_messages = warning`;
    await tx`select pg_advisory_xact_lock(hashtext(${"easy-oauth migrations " + schema}))`;
    await tx.unsafe(`create schema if not exists ${s}`);
    await tx.unsafe(`create table if not exists ${s}.migrations (
      version integer primary key, applied_at timestamptz not null default now())`);
    const [{ version } = { version: 0 }] = await tx.unsafe(
      `select coalesce(max(version), 0)::int as version from ${s}.migrations`,
    );
    if (version > STEPS.length) {
      throw new Error(
        `schema "${schema}" is at version ${version}, newer than this code (${STEPS.length})`,
      );
    }
    for (let step = version; step < STEPS.length; step++) {
      await tx.unsafe(STEPS[step]!.replaceAll("{s}", s));
      await tx.unsafe(`insert into ${s}.migrations (version) values (${step + 1})`);
    }
  });
}
