// The schema's migrations: a database of the previous version keeps its data,
// and what expires is found through an index on its expiry.
import { test } from "node:test";
import assert from "node:assert/strict";
import postgres from "postgres";
import { PostgresStore } from "./mod.ts";
import { migrate } from "./_migrations.ts";
import { DATABASE_URL, dropSchema, freshSchema, skip } from "./_test_db.ts";

const quiet = { log: () => {} };

test("a schema of version 1 keeps its data when migrated", { skip }, async () => {
  const schema = freshSchema();
  const sql = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
  const s = `"${schema}"`;
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const record = {
    id: "t1",
    name: "ci",
    capabilities: ["read"],
    expires_at: Math.floor(now / 1000) + 600,
    created_by: "root@example.com",
    created_at: Math.floor(now / 1000),
  };
  try {
    await migrate(sql, schema, 1);
    await sql.unsafe(`insert into ${s}.capabilities (email, capabilities, rev) values
      ('ann@example.com', '{read,write}', 3), ('gone@example.com', null, 2),
      ('bob@example.com', '{read}', 1)`);
    await sql.unsafe(`update ${s}.token_state set rev = 7`);
    await sql.unsafe(`insert into ${s}.revoked_ids values ('abc', $1)`, [now + 60_000]);
    await sql.unsafe(`insert into ${s}.revoked_accounts values ('cat@example.com', $1)`, [sec]);
    await sql.unsafe(`insert into ${s}.api_tokens values ('t1', $1, $2)`, [
      sql.json(record),
      record.expires_at,
    ]);
    await sql.unsafe(`insert into ${s}.grants values ('g1', 'ann@example.com', 1, $1, '{"x":1}')`, [
      record.expires_at,
    ]);
    const pg = await PostgresStore.connect(DATABASE_URL!, { schema, ...quiet });
    try {
      assert.deepEqual([...(await pg.capabilities.all())], [
        ["ann@example.com", ["read", "write"]],
        ["bob@example.com", ["read"]],
      ]);
      const whole = await pg.tokens.changesSince();
      assert.deepEqual(whole.changes.map((c) => c.kind).sort(), [
        "api_token",
        "revoke_account",
        "revoke_id",
      ]);
      assert.ok(
        whole.changes.some((c) =>
          c.kind === "revoke_account" && c.before === sec && c.until === (sec + 31536000) * 1000
        ),
      );
      assert.deepEqual((await pg.tokens.getGrant("g1"))?.data, { x: 1 });
      // A replica that read the old schema's revision (7) reloads: the log starts after it.
      assert.equal((await pg.tokens.changesSince(6)).reset, true);
      await pg.tokens.revokeId("new", now + 60_000);
      const next = await pg.tokens.changesSince(whole.revision);
      assert.deepEqual(next.changes, [{ kind: "revoke_id", id: "new", until: now + 60_000 }]);
      await pg.capabilities.update("bob@example.com", () => ["write"]);
      const other = await PostgresStore.connect(DATABASE_URL!, { schema, ...quiet });
      assert.deepEqual(other.capabilities.peek("bob@example.com").value, ["write"]);
      await other.close();
    } finally {
      await pg.close();
    }
  } finally {
    await sql.end();
    await dropSchema(schema);
  }
});

test("a schema of version 2 gets its emails lowercased, one person's revocations merged", {
  skip,
}, async () => {
  const schema = freshSchema();
  const sql = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
  const s = `"${schema}"`;
  const sec = Math.floor(Date.now() / 1000);
  const until = (sec + 3600) * 1000;
  const record = {
    id: "t1",
    name: "CI",
    capabilities: ["read"],
    expires_at: sec + 600,
    created_by: "Root@Example.com",
    created_at: sec,
    parents: [{ email: "Root@Example.COM", tokenId: "p", issuedAt: sec }],
  };
  try {
    await migrate(sql, schema, 2);
    await sql.unsafe(
      `insert into ${s}.revoked_accounts (email, revoked_before, until) values
       ('Ann@Example.com', $1, $2), ('ann@example.com', $3, $2),
       ('logout sub https://idp Sub-A', $1, $2), ('api:CI', $1, $2)`,
      [sec - 60, until, sec - 7200],
    );
    await sql.unsafe(`insert into ${s}.api_tokens values ('t1', $1, $2)`, [
      sql.json(record),
      record.expires_at,
    ]);
    await sql.unsafe(`insert into ${s}.grants values ('g1', 'Bob@Example.com', 1, $1, '{}')`, [
      record.expires_at,
    ]);
    const [row] = await sql.unsafe(`select rev from ${s}.revisions where name = 'tokens'`);
    const pg = await PostgresStore.connect(DATABASE_URL!, { schema, ...quiet });
    try {
      const whole = await pg.tokens.changesSince();
      const accounts = whole.changes.flatMap((c) =>
        c.kind === "revoke_account" ? [[c.email, c.before]] : []
      ).sort();
      assert.deepEqual(accounts, [
        ["ann@example.com", sec - 60],
        ["api:ci", sec - 60],
        ["logout sub https://idp Sub-A", sec - 60],
      ]);
      const api = whole.changes.find((c) => c.kind === "api_token");
      assert.equal(api?.kind === "api_token" && api.record.created_by, "root@example.com");
      assert.equal(api?.kind === "api_token" && api.record.name, "ci");
      assert.equal(api?.kind === "api_token" && api.record.parents?.[0]?.email, "root@example.com");
      assert.deepEqual((await pg.tokens.grantsOf("bob@example.com")).map((g) => g.id), ["g1"]);
      assert.equal((await pg.tokens.changesSince(Number(row?.rev))).reset, true, "replicas reload");
    } finally {
      await pg.close();
    }
  } finally {
    await sql.end();
    await dropSchema(schema);
  }
});

test("expired rows and old log entries are deleted through indexes on their expiry", {
  skip,
}, async () => {
  const schema = freshSchema();
  const clock = { now: Date.UTC(2026, 0, 1) };
  const t0 = clock.now;
  const pg = await PostgresStore.connect(DATABASE_URL!, {
    schema,
    clock: () => clock.now,
    logRetention: 3_600_000,
    ...quiet,
  });
  const sql = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    const indexed = await sql.unsafe(
      `select tablename, indexdef from pg_indexes where schemaname = $1`,
      [schema],
    );
    for (
      const [table, column] of [
        ["grants", "expires_at"],
        ["revoked_ids", "expires_at"],
        ["revoked_accounts", "until"],
        ["api_tokens", "expires_at"],
        ["used_once", "until"],
        ["token_log", "at"],
      ]
    ) {
      assert.ok(
        indexed.some((i) => i.tablename === table && i.indexdef.endsWith(`(${column})`)),
        `${table}(${column}) is indexed`,
      );
    }
    await pg.tokens.revokeId("short", t0 + 10_000);
    await pg.tokens.revokeAccount("ann@example.com", t0 / 1000, t0 + 10_000);
    await pg.tokens.useOnce("state", t0 + 10_000);
    await pg.tokens.putGrant({
      id: "g1",
      email: "ann@example.com",
      version: 1,
      expires_at: t0 / 1000 + 10,
      data: {},
    }, 0);
    clock.now += 2 * 3_600_000;
    await pg.tokens.revokeId("long", clock.now + 60_000);
    const [counts] = await sql.unsafe(`select
      (select count(*) from "${schema}".revoked_ids)::int as ids,
      (select count(*) from "${schema}".revoked_accounts)::int as accounts,
      (select count(*) from "${schema}".used_once)::int as used,
      (select count(*) from "${schema}".grants)::int as grants,
      (select count(*) from "${schema}".token_log)::int as log`);
    assert.deepEqual(counts, { ids: 1, accounts: 0, used: 0, grants: 0, log: 1 });
  } finally {
    await sql.end();
    await pg.close();
    await dropSchema(schema);
  }
});
