// Two managers (as two processes would) sharing one SQLite file and one secret:
// a grant whose check expired is refreshed once, not once per manager — with a
// provider that rotates refresh tokens, a second refresh replays the old token.
import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager } from "../../mod.ts";
import { SqliteStore } from "./sqlite_store.ts";
import { GRAPH, SECRET, startExample } from "../../testing/_fixtures.ts";

it("two managers sharing a token database refresh a grant once", async () => {
  let now: () => number = Date.now;
  const refreshes: string[] = [];
  const counting: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === "POST" ? await request.clone().text() : "";
    const params = new URLSearchParams(body);
    if (params.get("grant_type") === "refresh_token") refreshes.push("refresh");
    return await fetch(request);
  };
  const dir = await mkdtemp(join(tmpdir(), "shared-token-db-"));
  const file = join(dir, "tokens.db");
  await using ex = await startExample({
    users: "ann@example.com: [read]\n",
    tokenStore: new SqliteStore(file, { clock: () => now() }),
    fetch: counting,
  });
  now = ex.clock.read;
  await ex.mock.setEmail("ann@example.com");
  const minted = (await ex.tester.browser().get("/token")).json<{ refresh_token: string }>();
  const other = new OAuthManager({
    serverMetadataUrl: ex.mock.metadataUrl,
    secretKey: SECRET,
    clientId: "example-client",
    clientSecret: "example-secret",
    clock: ex.clock.read,
    fetch: counting,
    log: () => {},
    capabilities: { graph: GRAPH, userFile: ex.userFile, defaultCapabilities: [] },
    tokenStore: new SqliteStore(file, { clock: ex.clock.read }),
  });
  const second = new Hono<OAuthEnv>();
  other.install(second);
  second.get("/read", other.requireCapability("read"), (c) => c.text("ok"));
  const headers = { Authorization: `Bearer ${minted.refresh_token}` };
  try {
    for (let round = 0; round < 10; round++) {
      ex.clock.advance(4000);
      const before = refreshes.length;
      const statuses = await Promise.all([
        fetch(`${ex.tester.url}/read`, { headers }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }),
        Promise.resolve(second.request("http://127.0.0.1/read", { headers })).then((r) => r.status),
      ]);
      assert.deepEqual(statuses, [200, 200]);
      assert.ok(refreshes.length - before <= 1, `round ${round}: one grant refreshed twice`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
