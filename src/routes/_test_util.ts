// The accounts the route tests start from, and the set-up of the revocation
// tests: the example on a given store, replicas on it, logins that mint.
import { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager } from "../../mod.ts";
import { GRAPH, SECRET, startExample } from "../../testing/_fixtures.ts";
import { TestBrowser } from "../../testing/http_client.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import type { TokenStore } from "../stores/token_store.ts";
import { SqliteStore } from "../stores/sqlite_store.ts";

/** A root admin, a user manager who may write, and a reader. */
export const TOKEN_USERS = `root@example.com: [admin]
manager@example.com: [user_management, write]
ann@example.com: [read]
`;

/** A root admin and a reader, in a file with comments that changes must keep. */
export const CAPABILITY_USERS = `# Who may do what
root@example.com:
  - admin # the boss
ann@example.com:
  - read
`;

/** Users of the revocation tests: a person, and a manager who makes tokens. */
export const REVOCATION_USERS =
  "ann@example.com: [read]\nmax@example.com: [user_management, write, read]\n";
/** A day in seconds, as the test clock advances. */
export const DAY = 86_400;

/** A started example. */
export type Ex = Awaited<ReturnType<typeof startExample>>;

/** The stores tried: one in memory shared by the replicas, and a SQLite file each replica opens. */
export const STORE_KINDS = {
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

/**
 * Starts the example on the store `opener` makes, reading the example's
 * clock; `open` opens it again for a replica. `kind` names one of {@link STORE_KINDS}.
 */
export async function example<S extends TokenStore = TokenStore>(
  kind: keyof typeof STORE_KINDS | ((clock: () => number) => S),
): Promise<{ ex: Ex; store: S; open: () => S }> {
  const opener = (typeof kind === "function" ? kind : STORE_KINDS[kind]()) as (
    clock: () => number,
  ) => S;
  let now = Date.now;
  const clock = () => now();
  const store = opener(clock);
  const ex = await startExample({ users: REVOCATION_USERS, tokenStore: store });
  now = ex.clock.read;
  return { ex, store, open: () => opener(clock) };
}

/** A second manager on the same store: another replica. */
export function replica(ex: Ex, store: TokenStore): Hono<OAuthEnv> {
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

/** A browser logged in as `email`, the token its login minted, and a way to mint more from that login. */
export async function login(
  ex: Ex,
  email: string,
): Promise<{ first: string; mint: () => Promise<string>; browser: TestBrowser }> {
  const browser = new TestBrowser(ex.tester.url);
  const mint = async (query: Record<string, string> = {}) => {
    const res = await browser.get("/token", query);
    const token = res.json<{ refresh_token?: string }>().refresh_token;
    assert.ok(token, `/token answered ${res.status}`);
    return token;
  };
  const first = await mint({ login_hint: email });
  return { first, mint: () => mint(), browser };
}

/** The status of `GET path` with `token`, on the example or on another replica. */
export async function status(ex: Ex, path: string, token: string, app?: Hono<OAuthEnv>) {
  const headers = { authorization: `Bearer ${token}` };
  const res = app
    ? await app.request(path, { headers })
    : await fetch(`${ex.tester.url}${path}`, { headers });
  await res.body?.cancel();
  return res.status;
}

/** `POST /token/revoke {token}`, sent with the token itself or with `as`; it must answer `expect`. */
export async function revoke(ex: Ex, token: string, as = token, expect = 200): Promise<void> {
  const res = await fetch(`${ex.tester.url}/token/revoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${as}`, "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  assert.equal(res.status, expect, await res.text());
}

/** An API token "child" with `write`, made with `maker` for 30 days. */
export async function apiToken(ex: Ex, maker: string): Promise<string> {
  const res = await fetch(`${ex.tester.url}/token/api`, {
    method: "POST",
    headers: { authorization: `Bearer ${maker}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "child", capabilities: ["write"], expires_in: 30 * DAY }),
  });
  return (await res.json() as { api_token: string }).api_token;
}

/** The revoked ids the store holds now. */
export async function revokedIds(store: TokenStore): Promise<string[]> {
  const { changes } = await store.changesSince();
  return changes.flatMap((c) => (c.kind === "revoke_id" ? [c.id] : []));
}
