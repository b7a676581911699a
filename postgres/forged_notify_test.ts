// Notifications are hints, never state: a role that may only CONNECT to the
// database (every table: "permission denied") sends NOTIFYs on the channel
// the replicas listen to, forging a capability change, an un-revocation and a
// flood. Three app processes (Deno, Bun, Deno) keep answering as the tables say.
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import postgres from "postgres";
import { OAuthMock } from "../testing/mod.ts";
import { call, eventually, login, type Replicas, startReplicas } from "../testing/_replicas.ts";
import { BOSS } from "../testing/_replica_scenarios.ts";
import { DATABASE_URL, dropSchema, freshSchema, skip } from "./_test_db.ts";
import { PostgresStore } from "./mod.ts";

const RUNTIMES = ["deno", "bun", "deno"] as const;

describe("NOTIFYs from a role that may only CONNECT", { skip }, () => {
  let mock: OAuthMock;
  let replicas: Replicas;
  let admin: postgres.Sql;
  let mallory: postgres.Sql;
  let boss: string;
  let barriers = 0;
  const schema = freshSchema();
  const role = `mallory_${schema}`;
  const channel = `${schema}_changes`;

  before(async () => {
    mock = await OAuthMock.start({ port: 0 });
    replicas = await startReplicas(RUNTIMES, {
      EASY_OAUTH_STORE: "postgres",
      EASY_OAUTH_SCHEMA: schema,
      EASY_OAUTH_METADATA: mock.metadataUrl,
    });
    admin = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role "${role}" login`);
    const url = new URL(DATABASE_URL!);
    url.username = role;
    url.password = "";
    mallory = postgres(url.href, { max: 1, onnotice: () => {} });
    boss = await login(replicas.urls[0], BOSS);
  });
  after(async () => {
    await replicas?.close();
    await mock?.close();
    await mallory?.end({ timeout: 1 });
    await dropSchema(schema);
    await admin?.unsafe(`drop role if exists "${role}"`);
    await admin?.end({ timeout: 1 });
  });

  /** Sends every payload from the CONNECT-only role, in one transaction (delivered at its commit). */
  async function forge(payloads: string[]): Promise<void> {
    await mallory.unsafe(`select pg_notify($1, p) from unnest($2::text[]) as p`, [
      channel,
      payloads,
    ]);
  }

  /**
   * A real capability write through one replica, seen by every replica: the
   * forged NOTIFYs, committed before it, have been delivered to every listener by then.
   */
  async function barrier(): Promise<void> {
    const email = `barrier${++barriers}@example.com`;
    const url = replicas.urls[barriers % 3];
    const res = await call(url, "/manage_capabilities/set", { token: boss }, {
      email,
      capabilities: ["read"],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const url of replicas.urls) {
      await eventually(`${url} saw ${email}`, async () => {
        const { body } = await call(url, `/manage_capabilities/list?email=${email}`, {
          token: boss,
        });
        return (body as { capabilities?: string[] }).capabilities?.[0] === "read";
      });
    }
  }

  async function statuses(path: string, token: string): Promise<number[]> {
    return await Promise.all(
      replicas.urls.map(async (url) => (await call(url, path, { token })).status),
    );
  }

  it("the role can read none of the tables", async () => {
    for (const table of ["capabilities", "revoked_ids", "api_tokens", "grants"]) {
      await assert.rejects(
        mallory.unsafe(`select * from "${schema}".${table}`),
        /permission denied/,
      );
    }
  });

  it("a forged capability change makes no one admin, before or after an admin's write", async () => {
    try {
      const token = await login(replicas.urls[1], "mallory@example.com");
      assert.deepEqual(await statuses("/manage_capabilities/users", token), [403, 403, 403]);
      await forge([
        JSON.stringify({ k: "c", e: "mallory@example.com", l: ["admin"], r: 1_000_000 }),
        JSON.stringify({ k: "c", e: "mallory@example.com", l: ["admin"], r: 2 }),
      ]);
      await barrier();
      assert.deepEqual(await statuses("/manage_capabilities/users", token), [403, 403, 403]);
      const set = await call(replicas.urls[2], "/manage_capabilities/set", { token: boss }, {
        email: "mallory@example.com",
        capabilities: [],
      });
      assert.equal(set.status, 200);
      await barrier();
      assert.deepEqual(await statuses("/manage_capabilities/users", token), [403, 403, 403]);
    } catch (error) {
      throw replicas.explain(error);
    }
  });

  it("a forged un-revocation leaves a revoked API token refused everywhere", async () => {
    try {
      const created = await call(replicas.urls[0], "/token/api", { token: boss }, {
        name: "deploy",
        capabilities: ["read"],
        expires_in: 3600,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const { api_token: apiToken, ...record } = created.body as Record<string, unknown>;
      const token = apiToken as string;
      for (const url of replicas.urls) {
        await eventually(
          `${url} accepts the API token`,
          async () => (await call(url, "/read", { token })).status === 200,
        );
      }
      const revoked = await call(replicas.urls[1], "/token/revoke", { token: boss }, { token });
      assert.equal(revoked.status, 200);
      for (const url of replicas.urls) {
        await eventually(
          `${url} refuses the revoked API token`,
          async () => (await call(url, "/read", { token })).status === 401,
        );
      }
      // The id and the record are no secret (the token's holder saw both);
      // the revision is guessed: every one up to 200.
      await forge(Array.from({ length: 200 }, (_, i) =>
        JSON.stringify({
          k: "t",
          r: i + 1,
          d: {
            revoked_ids: { del: [record.id] },
            api_tokens: { set: { [String(record.id)]: record } },
          },
        })));
      await barrier();
      assert.deepEqual(await statuses("/read", token), [401, 401, 401]);
    } catch (error) {
      throw replicas.explain(error);
    }
  });

  it("a flood of forged NOTIFYs revokes no one, grants nothing and leaves the replicas serving", async () => {
    try {
      const bob = await login(replicas.urls[2], "bob@example.com");
      assert.deepEqual(await statuses("/me", bob), [200, 200, 200]);
      // Garbage first (on the old code it made replicas reload), then forgeries.
      const batch = (f: (i: number) => string) => Array.from({ length: 1000 }, (_, i) => f(i));
      await forge(batch((i) => `not json ${i}`));
      await forge(batch((i) => String(1_000_000_000 + i)));
      await forge(
        batch((i) =>
          JSON.stringify({ k: "c", e: "bob@example.com", l: ["admin"], r: 1_000_000 + i })
        ),
      );
      await forge(batch((i) =>
        JSON.stringify({
          k: "t",
          r: i + 1,
          d: { revoked_accounts: { set: { "bob@example.com": 4_000_000_000 } } },
        })
      ));
      await barrier();
      assert.deepEqual(await statuses("/me", bob), [200, 200, 200]);
      assert.deepEqual(await statuses("/manage_capabilities/users", bob), [403, 403, 403]);
      // And real changes still travel.
      const revoked = await call(replicas.urls[0], "/token/revoke", { token: boss }, {
        user: "bob@example.com",
      });
      assert.equal(revoked.status, 200);
      for (const url of replicas.urls) {
        await eventually(
          `${url} refuses bob`,
          async () => (await call(url, "/me", { token: bob })).status === 401,
        );
      }
    } catch (error) {
      throw replicas.explain(error);
    }
  });
});

// In one process, where the reads can be counted (postgres.js's `debug` hook).
test("a flood of NOTIFYs from anyone costs a few coalesced reads and changes nothing", {
  skip,
}, async () => {
  const schema = freshSchema();
  const a = await PostgresStore.connect(DATABASE_URL!, { schema, log: () => {} });
  let queries = 0;
  const sql = postgres(DATABASE_URL!, { max: 2, onnotice: () => {}, debug: () => queries++ });
  const b = await PostgresStore.fromClient(sql, { schema, log: () => {} });
  const sender = postgres(DATABASE_URL!, { max: 1 });
  try {
    await a.capabilities.update("ann@example.com", () => ["read"]);
    await eventually(
      "b caught up",
      () => b.capabilities.peek("ann@example.com").value !== undefined,
    );
    const before = queries;
    const forged = [
      (i: number) => `garbage ${i}`,
      (i: number) => `t ${i}`,
      (i: number) => `c ${1_000_000 + i}`,
      (i: number) => JSON.stringify({ k: "c", e: "mallory@example.com", l: ["admin"], r: 1e6 + i }),
    ];
    for (const make of forged) {
      await sender.unsafe(`select pg_notify($1, p) from unnest($2::text[]) as p`, [
        `${schema}_changes`,
        Array.from({ length: 1000 }, (_, i) => make(i)),
      ]);
    }
    // A real change after the flood: when b has it, b has handled every forged NOTIFY.
    await a.capabilities.update("bob@example.com", () => ["read"]);
    await eventually(
      "b caught up",
      () => b.capabilities.peek("bob@example.com").value !== undefined,
    );
    const reads = queries - before;
    assert.equal(b.capabilities.peek("mallory@example.com").value, undefined);
    assert.ok(reads <= 20, `${reads} reads for 4000 notifications`);
    assert.deepEqual((await b.tokens.changesSince()).changes, []);
  } finally {
    await sender.end();
    await a.close();
    await b.close();
    await sql.end();
    await dropSchema(schema);
  }
});
