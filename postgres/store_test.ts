import { test } from "node:test";
import assert from "node:assert/strict";
import postgres from "postgres";
import { StoreUnavailable } from "../src/errors.ts";
import { PostgresStore, SCHEMA_VERSION } from "./mod.ts";
import { DATABASE_URL, dropSchema, freshSchema, skip } from "./_test_db.ts";
import { eventually } from "../testing/_replicas.ts";

const quiet = { log: () => {} };

/** Two replicas on one fresh schema, closed and dropped after `run`. */
async function replicas(
  run: (a: PostgresStore, b: PostgresStore, schema: string) => Promise<void>,
): Promise<void> {
  const schema = freshSchema();
  const a = await PostgresStore.connect(DATABASE_URL!, { schema, ...quiet });
  const b = await PostgresStore.connect(DATABASE_URL!, { schema, ...quiet });
  try {
    await run(a, b, schema);
  } finally {
    await a.close();
    await b.close();
    await dropSchema(schema);
  }
}

test("PostgresStore.connect() refuses a bad schema name, naming the option", async () => {
  await assert.rejects(
    PostgresStore.connect("postgres://localhost/x", { schema: 'x"; drop' }),
    (e: Error) => e instanceof TypeError && e.message.includes('"schema"'),
  );
  await assert.rejects(PostgresStore.connect("mysql://x"), TypeError);
});

test("five replicas starting at once create the schema once", { skip }, async () => {
  const schema = freshSchema();
  const stores = await Promise.all(
    Array.from({ length: 5 }, () => PostgresStore.connect(DATABASE_URL!, { schema, ...quiet })),
  );
  try {
    const sql = postgres(DATABASE_URL!, { max: 1 });
    const rows = await sql.unsafe(`select version from "${schema}".migrations order by version`);
    await sql.end();
    // Each step once, in order.
    assert.deepEqual(
      rows.map((r) => r.version),
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  }
});

test("a capability written through one replica is seen by the other", { skip }, async () => {
  await replicas(async (a, b) => {
    await a.capabilities.update("ann@example.com", () => ["write"]);
    assert.deepEqual(a.capabilities.peek("ann@example.com").value, ["write"]);
    await eventually(
      "a replica caught up",
      () => b.capabilities.peek("ann@example.com").value?.[0] === "write",
    );
    await b.capabilities.update("ann@example.com", () => undefined);
    await eventually(
      "a replica caught up",
      () => a.capabilities.peek("ann@example.com").value === undefined,
    );
    assert.deepEqual([...(await a.capabilities.all()).keys()], []);
  });
});

test("concurrent capability updates from two replicas lose nothing", { skip }, async () => {
  await replicas(async (a, b) => {
    const add = (store: PostgresStore, name: string) =>
      store.capabilities.update("ann@example.com", (current = []) => [...current, name]);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => add(i % 2 ? a : b, `c${i}`)),
    );
    await eventually(
      "a replica caught up",
      () => a.capabilities.peek("ann@example.com").value?.length === 40,
    );
    await eventually(
      "a replica caught up",
      () => b.capabilities.peek("ann@example.com").value?.length === 40,
    );
    assert.deepEqual(
      [...(await b.capabilities.get("ann@example.com"))!].sort(),
      Array.from({ length: 40 }, (_, i) => `c${i}`).sort(),
    );
  });
});

test(
  "an update whose function throws writes nothing and rethrows the error",
  { skip },
  async () => {
    await replicas(async (a, b) => {
      await a.capabilities.update("ann@example.com", () => ["read"]);
      const refusal = new Error("refused");
      await assert.rejects(
        a.capabilities.update("ann@example.com", () => {
          throw refusal;
        }),
        (e) => e === refusal,
      );
      const fresh = await PostgresStore.connect(DATABASE_URL!, { schema: a.schema, ...quiet });
      assert.deepEqual(fresh.capabilities.peek("ann@example.com").value, ["read"]);
      await fresh.close();
      await eventually(
        "a replica caught up",
        () => b.capabilities.peek("ann@example.com").value?.[0] === "read",
      );
    });
  },
);

test("a revocation through one replica reaches the other's memory", { skip }, async () => {
  await replicas(async (a, b) => {
    const before = b.tokens.hint;
    await a.tokens.revokeId("abc", Date.now() + 60_000);
    await a.tokens.revokeAccount("ann@example.com", 1000, Date.now() + 60_000);
    await eventually("a replica caught up", () => b.tokens.hint !== before);
    const { changes } = await b.tokens.changesSince();
    const seen = (kind: string) => changes.filter((c) => c.kind === kind);
    assert.ok(seen("revoke_id").some((c) => c.kind === "revoke_id" && c.id === "abc"));
    assert.ok(
      seen("revoke_account").some((c) =>
        c.kind === "revoke_account" && c.email === "ann@example.com" && c.before === 1000
      ),
    );
  });
});

test("grant records are written by compare-and-set on their version", { skip }, async () => {
  await replicas(async (a, b) => {
    const now = Math.floor(Date.now() / 1000);
    const grant = {
      id: "g1",
      email: "ann@example.com",
      version: 1,
      expires_at: now + 60,
      data: { x: 1 },
    };
    assert.equal(await a.tokens.putGrant(grant, 0), true);
    assert.equal(await b.tokens.putGrant(grant, 0), false);
    assert.equal(await b.tokens.putGrant({ ...grant, version: 3 }, 1), false);
    const results = await Promise.all([
      a.tokens.putGrant({ ...grant, version: 2, data: { x: "a" } }, 1),
      b.tokens.putGrant({ ...grant, version: 2, data: { x: "b" } }, 1),
    ]);
    assert.deepEqual(results.filter(Boolean).length, 1);
    const stored = await b.tokens.getGrant("g1");
    assert.equal(stored?.version, 2);
    assert.deepEqual(stored?.data, { x: results[0] ? "a" : "b" });
    await a.tokens.putGrant({ ...grant, id: "old", expires_at: now - 1 }, 0);
    assert.equal(await a.tokens.getGrant("old"), undefined);
    assert.deepEqual((await a.tokens.grantsOf("ann@example.com")).map((g) => g.id), ["g1"]);
  });
});

test(
  "after a dropped connection a replica reconnects and reloads what it missed",
  { skip },
  async () => {
    await replicas(async (a, b, schema) => {
      const logs: string[] = [];
      const c = await PostgresStore.connect(DATABASE_URL!, { schema, log: (m) => logs.push(m) });
      try {
        const sql = postgres(DATABASE_URL!, { max: 1 });
        // Kill the change feeds of the three replicas.
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where application_name = ${`easy-oauth feed ${schema}_changes`}`;
        await eventually("a replica caught up", () => !c.connected || logs.length > 0);
        await a.capabilities.update("bob@example.com", () => ["read"]);
        await eventually(
          "a replica caught up",
          () => c.capabilities.peek("bob@example.com").value?.[0] === "read",
        );
        await eventually(
          "a replica caught up",
          () => b.capabilities.peek("bob@example.com").value?.[0] === "read",
        );
        await eventually("a replica caught up", () => c.connected);
        assert.match(logs.join("\n"), /lost the PostgreSQL connection[^]*PostgreSQL is back/);
        await sql.end();
      } finally {
        await c.close();
      }
    });
  },
);

test(
  "writes reject with StoreUnavailable when the database cannot be reached",
  { skip },
  async () => {
    await replicas(async (a) => {
      const sql = postgres(DATABASE_URL!, { max: 1 });
      const dead = await PostgresStore.fromClient(sql, { schema: a.schema, ...quiet });
      await sql.end();
      await assert.rejects(
        dead.capabilities.update("ann@example.com", () => ["read"]),
        StoreUnavailable,
      );
      await dead.close();
    });
  },
);

test("an update that changes nothing in a lagging view is checked against the database", {
  skip,
}, async () => {
  await replicas(async (a, _b, schema) => {
    await a.capabilities.update("ann@example.com", () => ["x"]);
    // Another writer removes "x" without telling anyone (as if its NOTIFY were still in flight).
    const sql = postgres(DATABASE_URL!, { max: 1 });
    await sql.unsafe(
      `update "${schema}".capabilities set capabilities = '{}', rev = rev + 1 where email = $1`,
      ["ann@example.com"],
    );
    await sql.end();
    assert.deepEqual(a.capabilities.peek("ann@example.com").value, ["x"], "the view lags");
    await a.capabilities.update("ann@example.com", (c = []) => c.includes("x") ? c : [...c, "x"]);
    const fresh = await PostgresStore.connect(DATABASE_URL!, { schema, ...quiet });
    assert.deepEqual(fresh.capabilities.peek("ann@example.com").value, ["x"]);
    await fresh.close();
  });
});
