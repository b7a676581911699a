// One replica of an app for the multi-process tests (not published): the
// manager on shared state (PostgreSQL or files), served on a free port. Runs
// under Deno and Bun; prints "READY <url>" and exits when its stdin closes.
//
// Environment: EASY_OAUTH_METADATA (the mock provider), EASY_OAUTH_STORE
// ("postgres" with DATABASE_URL and EASY_OAUTH_SCHEMA; "files" with
// EASY_OAUTH_DIR and EASY_OAUTH_POLL_MS: the defaults, caps.yaml and the
// SQLite caps.db beside it; or "sqlite" with EASY_OAUTH_DIR: capabilities in
// caps.db too).
import process from "node:process";
import { join } from "node:path";
import { Hono } from "hono";
import { FileCapabilityStore, type OAuthEnv, OAuthManager, SqliteStore } from "../mod.ts";
import type { CapabilityStore, TokenStore } from "../mod.ts";
import { PostgresStore } from "../postgres/mod.ts";
import { serve } from "./_serve.ts";

/** The capabilities of the replicas: the writes of the tests pick among c0…c299. */
export const REPLICA_GRAPH: Record<string, string[]> = {
  user_management: [],
  read: [],
  write: ["read"],
  x: [],
  ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`c${i}`, []])),
};

const env = process.env;
const log = (message: string) => process.stderr.write(`${message}\n`);
let close = async () => {};
let capabilities: CapabilityStore, tokenStore: TokenStore | undefined;
if (env.EASY_OAUTH_STORE === "postgres") {
  const pg = await PostgresStore.connect(env.DATABASE_URL!, { schema: env.EASY_OAUTH_SCHEMA, log });
  capabilities = pg.capabilities;
  tokenStore = pg.tokens;
  close = () => pg.close();
} else if (env.EASY_OAUTH_STORE === "sqlite") {
  const store = new SqliteStore(join(env.EASY_OAUTH_DIR!, "caps.db"), { log });
  capabilities = store.capabilities;
  tokenStore = store;
  close = () => Promise.resolve(store.close());
} else {
  const dir = env.EASY_OAUTH_DIR!;
  const pollInterval = Number(env.EASY_OAUTH_POLL_MS ?? "100");
  capabilities = new FileCapabilityStore(join(dir, "caps.yaml"), { reloadInterval: pollInterval });
  // The default token store beside the capability file.
}

const oauth = new OAuthManager({
  serverMetadataUrl: env.EASY_OAUTH_METADATA!,
  secretKey: "T3t4yQvkhYg31o0Cv_Dt_okZySTAiyqHUhc9deJxQQ4",
  clientId: "replica-client",
  clientSecret: "replica-secret",
  capabilities: {
    graph: REPLICA_GRAPH,
    store: capabilities,
    userOverrides: { "boss@example.com": ["admin"] },
  },
  tokenStore,
  log,
});
const app = new Hono<OAuthEnv>();
oauth.install(app);
app.get("/me", oauth.requireUser(), (c) => c.json(c.var.user));
app.get("/read", oauth.requireCapability("read"), (c) => c.text(`read by ${c.var.email}`));

const served = await serve((request) => app.fetch(request), { port: 0 });
process.stdout.write(`READY ${served.url}\n`);
process.stdin.on("data", () => {});
process.stdin.on("end", async () => {
  await served.close();
  await close();
  process.exit(0);
});
