// Three app processes (two under Deno, one under Bun) sharing one PostgreSQL
// database: what one does, the others see; nothing acknowledged is lost, even
// across a stopped and restarted database.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { OAuthMock } from "../testing/mod.ts";
import { call, eventually, login, type Replicas, startReplicas } from "../testing/_replicas.ts";
import {
  BOSS,
  concurrentWrites,
  readsHideNothing,
  revocationsTravel,
} from "../testing/_replica_scenarios.ts";
import { dropSchema, freshSchema, skip } from "./_test_db.ts";
import { PG_BIN, startCluster } from "./_test_cluster.ts";

const RUNTIMES = ["deno", "bun", "deno"] as const;

describe("three replicas on one PostgreSQL database", { skip }, () => {
  let mock: OAuthMock;
  let replicas: Replicas;
  const schema = freshSchema();
  before(async () => {
    mock = await OAuthMock.start({ port: 0 });
    replicas = await startReplicas(RUNTIMES, {
      EASY_OAUTH_STORE: "postgres",
      EASY_OAUTH_SCHEMA: schema,
      EASY_OAUTH_METADATA: mock.metadataUrl,
    });
  });
  after(async () => {
    await replicas?.close();
    await mock?.close();
    await dropSchema(schema);
  });

  it("refuses everywhere a token, an account or a session revoked through one", async () => {
    const waited = await revocationsTravel(replicas.urls, 1000);
    assert.ok(Math.max(...waited) < 1000);
  });

  it("hides no account revocation from a replica that read the store in between", async () => {
    await readsHideNothing(replicas.urls, 1000);
  });

  it("loses none of 3 × 100 concurrent capability writes", { timeout: 60_000 }, async () => {
    await concurrentWrites(replicas.urls);
  });
});

const noCluster = skip ||
  (PG_BIN === undefined && "EASY_OAUTH_PG_BIN is not set (see .ci/postgres.sh)");

describe("three replicas when the database stops and comes back", { skip: noCluster }, () => {
  it("keep serving known credentials, answer 503 to writes, then recover by themselves", {
    timeout: 60_000,
  }, async () => {
    await using cluster = await startCluster();
    await using mock = await OAuthMock.start({ port: 0 });
    await using replicas = await startReplicas(RUNTIMES, {
      EASY_OAUTH_STORE: "postgres",
      DATABASE_URL: cluster.url,
      EASY_OAUTH_SCHEMA: "easy_oauth",
      EASY_OAUTH_METADATA: mock.metadataUrl,
    });
    const { urls } = replicas;
    try {
      const boss = await login(urls[0], BOSS);
      const ann = await login(urls[1], "ann@example.com");
      // Known credentials: each replica has checked ann's token once.
      for (const url of urls) assert.equal((await call(url, "/me", { token: ann })).status, 200);
      const acknowledged: string[] = [];
      let refused = 0;
      const add = async (r: number, i: number) => {
        const capability = `c${r * 100 + i}`;
        const res = await call(urls[r], "/manage_capabilities/add", { token: boss }, {
          email: "ann@example.com",
          capability,
        }).catch((error) => {
          throw replicas.explain(error);
        });
        if (res.status === 200) acknowledged.push(capability);
        else if (res.status === 503) refused++;
        else assert.fail(`a write answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.status;
      };
      // Writes from the three replicas while the database stops and starts again.
      const writers = urls.map(async (_, r) => {
        for (let i = 0; i < 40; i++) {
          await add(r, i);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      });
      await eventually("some writes acknowledged", () => acknowledged.length >= 15);
      cluster.stop();
      for (const url of urls) {
        assert.equal(
          (await call(url, "/me", { token: ann })).status,
          200,
          `${url} without database`,
        );
      }
      const down = await call(urls[2], "/manage_capabilities/add", { token: boss }, {
        email: "bob@example.com",
        capability: "read",
      });
      assert.equal(down.status, 503);
      assert.equal((down.body as { error: string }).error, "store_unavailable");
      cluster.start();
      await Promise.all(writers);
      assert.ok(refused > 0, "no write was refused while the database was down");

      // Every replica writes again, sees every acknowledged write, and hears revocations again.
      for (const [r, url] of urls.entries()) {
        await eventually(`${url} writes again`, async () => (await add(r, 99)) === 200, 10_000);
      }
      for (const url of urls) {
        await eventually(`${url} holds every acknowledged write`, async () => {
          const path = "/manage_capabilities/list?email=ann@example.com";
          const { body } = await call(url, path, { token: boss });
          const held = (body as { capabilities: string[] }).capabilities;
          return acknowledged.every((c) => held.includes(c));
        });
      }
      await revocationsTravel(urls, 2000);
      for (const log of replicas.logs) {
        assert.match(log.join(""), /lost the PostgreSQL connection/);
        assert.match(log.join(""), /PostgreSQL is back/);
      }
      assert.match(replicas.logs[2].join(""), /store unavailable \(503\)/);
    } catch (error) {
      throw replicas.explain(error);
    }
  });
});
