// The schema, created or brought up to date by `PostgresStore` when it
// connects. Each step runs once (recorded in `<schema>.migrations`); all run
// under one advisory lock, so two replicas starting at once do not collide.
import type { Sql } from "./_sql.ts";

/**
 * The steps, in order; `{s}` is the quoted schema. Never edit a released step:
 * add one. Timestamps are numbers as the `TokenStore` takes them (ms or s).
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
  // 2: state as rows plus a log of changes with revisions. A replica catches
  // up by reading what follows its revision, never from a NOTIFY's payload.
  // Revisions come from one counter row per log, bumped in the statement
  // that makes the change: its row lock orders revisions as commits are
  // ordered, so a reader never skips a revision that commits late.
  `create table {s}.revisions (
     name text primary key,
     rev bigint not null,
     horizon bigint not null default 0  -- the last revision pruned: a reader behind it reloads
   );
   insert into {s}.revisions (name, rev, horizon) select 'tokens', rev, rev from {s}.token_state;
   drop table {s}.token_state;
   create table {s}.token_log (
     rev bigint primary key,
     at double precision not null,  -- the writer's clock (ms), for the retention
     change jsonb not null          -- a TokenChange
   );
   create index on {s}.token_log (at);
   alter table {s}.revoked_accounts add column until double precision;
   update {s}.revoked_accounts set until = (revoked_before + 31536000) * 1000;  -- + MAX_TOKEN_LIFETIME
   alter table {s}.revoked_accounts alter column until set not null;
   create index on {s}.revoked_ids (expires_at);
   create index on {s}.revoked_accounts (until);
   create index on {s}.api_tokens (expires_at);
   create index on {s}.grants (expires_at);
   create table {s}.used_once (key text primary key, until double precision not null);
   create index on {s}.used_once (until);
   -- Capabilities: the rows are their own log, one revision across accounts.
   update {s}.capabilities c set rev = n.n
     from (select email, row_number() over (order by pos) as n from {s}.capabilities) n
     where c.email = n.email;
   insert into {s}.revisions (name, rev) select 'capabilities', count(*) from {s}.capabilities;
   create index on {s}.capabilities (rev);`,
  // 3: emails lowercased, as every lookup now makes them (earlier versions
  // kept them as given), API names too: one account's revocations merge, the
  // later kept. The back-channel logouts' keys (case-sensitive subjects) stay
  // as they are. Every replica reloads (the horizon passes the old revision).
  `insert into {s}.revoked_accounts as a (email, revoked_before, until)
     select lower(email), max(revoked_before), max(until) from {s}.revoked_accounts
     where email <> lower(email) and email not like 'logout %'
     group by lower(email)
   on conflict (email) do update set
     revoked_before = greatest(a.revoked_before, excluded.revoked_before),
     until = greatest(a.until, excluded.until);
   delete from {s}.revoked_accounts where email <> lower(email) and email not like 'logout %';
   update {s}.grants set email = lower(email) where email <> lower(email);
   update {s}.api_tokens
     set record = jsonb_set(record, '{created_by}', to_jsonb(lower(record->>'created_by')))
     where jsonb_typeof(record->'created_by') = 'string';
   update {s}.api_tokens set record = jsonb_set(record, '{name}', to_jsonb(lower(record->>'name')))
     where jsonb_typeof(record->'name') = 'string';
   update {s}.api_tokens set record = jsonb_set(record, '{parents}', (
       select jsonb_agg(case when jsonb_typeof(p->'email') = 'string'
         then jsonb_set(p, '{email}', to_jsonb(lower(p->>'email'))) else p end order by i)
       from jsonb_array_elements(record->'parents') with ordinality as e(p, i)))
     where jsonb_typeof(record->'parents') = 'array' and jsonb_array_length(record->'parents') > 0;
   update {s}.revisions set rev = rev + 1, horizon = rev + 1 where name = 'tokens';`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = STEPS.length;

/**
 * Creates the schema and its tables when missing, applies the steps not yet
 * applied (up to `upTo`: the tests stop at an older version), and refuses a
 * schema newer than this code.
 */
export async function migrate(
  sql: Sql,
  schema: string,
  upTo: number = STEPS.length,
): Promise<void> {
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
    for (let step = version; step < upTo; step++) {
      await tx.unsafe(STEPS[step]!.replaceAll("{s}", s));
      await tx.unsafe(`insert into ${s}.migrations (version) values (${step + 1})`);
    }
  });
}
