// What one account can leave behind by revoking its own tokens is bounded
// (issue 18, item 4): a revoked user token is refused because its grant no
// longer lists it, and the shared state keeps one mark per login (for a day,
// while other replicas may hold a cached answer), not one entry per token for
// a year. A token that made tokens keeps its entry until it expires: those
// tokens are checked against it.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager } from "../../mod.ts";
import { GRAPH, SECRET, startExample } from "../../testing/_fixtures.ts";
import { TestBrowser } from "../../testing/http_client.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import type { TokenStore } from "../stores/token_store.ts";
import { SqliteStore } from "../stores/sqlite_store.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const USERS = "ann@example.com: [read]\nmax@example.com: [user_management, write, read]\n";
/** Seconds, as the test clock advances. */
const DAY = 86_400;

type Ex = Awaited<ReturnType<typeof startExample>>;

/** The stores tried: one in memory shared by the replicas, and a SQLite file each replica opens. */
const KINDS = {
  memory: () => {
    let store: MemoryTokenStore | undefined;
    return (clock: () => number) => (store ??= new MemoryTokenStore({ clock }));
  },
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), "easy-oauth-bound-"));
    const opened: SqliteStore[] = [];
    after(() => {
      for (const store of opened) store[Symbol.dispose]();
      rmSync(dir, { recursive: true, force: true });
    });
    return (clock: () => number) => {
      // Checked on every request: "at once" here means the next request, not within 5 ms.
      opened.push(new SqliteStore(join(dir, "tokens.db"), { clock, checkInterval: 0 }));
      return opened.at(-1)!;
    };
  },
};

/** Starts the example on a store of `kind` that reads the example's clock; `open` opens it again for a replica. */
async function example(
  kind: keyof typeof KINDS,
): Promise<{ ex: Ex; store: TokenStore; open: () => TokenStore }> {
  const opener = KINDS[kind]();
  let now = Date.now;
  const clock = () => now();
  const store = opener(clock);
  const ex = await startExample({ users: USERS, tokenStore: store });
  now = ex.clock.read;
  return { ex, store, open: () => opener(clock) };
}

/** A second manager on the same store: another replica. */
function replica(ex: Ex, store: TokenStore): Hono<OAuthEnv> {
  const other = new OAuthManager({
    serverMetadataUrl: ex.mock.metadataUrl,
    secretKey: SECRET,
    clientId: "example-client",
    clientSecret: "example-secret",
    capabilities: { graph: GRAPH, userFile: ex.userFile },
    clock: ex.clock.read,
    tokenStore: store,
    log: () => {},
  });
  const app = other.install(new Hono<OAuthEnv>());
  app.get("/read", other.requireCapability("read"), (c) => c.text("read"));
  app.get("/write", other.requireCapability("write"), (c) => c.text("written"));
  return app;
}

/** A browser logged in as `email`, and a way to mint tokens from its one login. */
async function login(ex: Ex, email: string): Promise<{ mint: () => Promise<string> }> {
  const browser = new TestBrowser(ex.tester.url);
  const mint = async (query: Record<string, string> = {}) => {
    const res = await browser.get("/token", query);
    const token = res.json<{ refresh_token?: string }>().refresh_token;
    assert.ok(token, `/token answered ${res.status}`);
    return token;
  };
  await mint({ login_hint: email });
  return { mint: () => mint() };
}

/** The status of `GET path` with `token`, on the example or on another replica. */
async function status(ex: Ex, path: string, token: string, app?: Hono<OAuthEnv>) {
  const headers = { authorization: `Bearer ${token}` };
  const res = app
    ? await app.request(path, { headers })
    : await fetch(`${ex.tester.url}${path}`, { headers });
  await res.body?.cancel();
  return res.status;
}

async function revoke(ex: Ex, token: string): Promise<void> {
  const res = await fetch(`${ex.tester.url}/token/revoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  assert.equal(res.status, 200, await res.text());
}

/** The revoked ids the store holds now. */
async function revokedIds(store: TokenStore): Promise<string[]> {
  const { changes } = await store.changesSince();
  return changes.flatMap((c) => (c.kind === "revoke_id" ? [c.id] : []));
}

for (const kind of ["memory", "sqlite"] as const) {
  describe(`revoking one's own tokens (${kind} store)`, () => {
    it("150 times from one login leaves one entry, not 150, and every one stays refused", async () => {
      const { ex, store, open } = await example(kind);
      await using _ = ex;
      const ann = await login(ex, "ann@example.com");
      const revoked: string[] = [];
      for (let i = 0; i < 150; i++) {
        const token = await ann.mint();
        assert.equal(await status(ex, "/read", token), 200);
        await revoke(ex, token);
        revoked.push(token);
      }
      assert.ok(
        (await revokedIds(store)).length <= 1,
        `${(await revokedIds(store)).length} entries`,
      );
      for (const token of revoked.slice(-20)) assert.equal(await status(ex, "/read", token), 401);
      ex.clock.advance(2 * DAY);
      await store.revokeId("sweep", ex.clock.read() + 1_000);
      assert.deepEqual(await revokedIds(store), ["sweep"], "the mark ends after a day");
      for (const token of revoked.slice(-20)) assert.equal(await status(ex, "/read", token), 401);
      const other = replica(ex, open());
      assert.equal(await status(ex, "/read", revoked[0], other), 401, "a replica started later");
      assert.equal(await status(ex, "/read", await ann.mint()), 200);
    });

    it("is seen at once by a replica that cached the token, and leaves its siblings", async () => {
      const { ex, open } = await example(kind);
      await using _ = ex;
      const other = replica(ex, open());
      const ann = await login(ex, "ann@example.com");
      const [first, second] = [await ann.mint(), await ann.mint()];
      assert.equal(await status(ex, "/read", first, other), 200);
      assert.equal(await status(ex, "/read", second, other), 200);
      await revoke(ex, first);
      assert.equal(await status(ex, "/read", first, other), 401);
      assert.equal(await status(ex, "/read", second, other), 200);
      ex.clock.advance(2 * DAY);
      assert.equal(await status(ex, "/read", first, other), 401);
      assert.equal(await status(ex, "/read", second, other), 200);
    });

    it("keeps a token that made tokens revoked for as long as it would have lived", async () => {
      const { ex, open } = await example(kind);
      await using _ = ex;
      const max = await login(ex, "max@example.com");
      const maker = await max.mint();
      const res = await fetch(`${ex.tester.url}/token/api`, {
        method: "POST",
        headers: { authorization: `Bearer ${maker}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "child", capabilities: ["write"], expires_in: 30 * 86_400 }),
      });
      const child = (await res.json() as { api_token: string }).api_token;
      assert.equal(await status(ex, "/write", child), 200);
      await revoke(ex, maker);
      assert.equal(await status(ex, "/write", child), 401);
      ex.clock.advance(10 * DAY);
      assert.equal(await status(ex, "/write", child), 401);
      assert.equal(await status(ex, "/write", child, replica(ex, open())), 401);
    });
  });
}
