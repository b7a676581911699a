// app.ts — the same app on every replica: `deno serve -A --parallel app.ts`, or several `bun app.ts`
import process from "node:process";
import { Hono } from "hono";
import { CapabilitySet, type OAuthEnv, OAuthManager } from "@easy-oauth/hono";
import { PostgresStore } from "@easy-oauth/hono/postgres";

// Creates the schema "easy_oauth" when missing, loads it, and listens for the other replicas' changes.
// (`PostgresStore.fromClient(sql)` reuses the app's own `postgres` client instead.)
const pg = await PostgresStore.connect(process.env.DATABASE_URL!, { schema: "easy_oauth" });

const oauth = new OAuthManager({
  serverMetadataUrl: process.env.SERVER_METADATA_URL!,
  secretKey: process.env.SECRET_KEY!, // the same on every replica
  clientId: process.env.CLIENT_ID!,
  clientSecret: process.env.CLIENT_SECRET,
  capabilities: new CapabilitySet({
    graph: { read: [], write: ["read"], user_management: [] },
    store: pg.capabilities, // who holds what, shared
  }),
  tokenStore: pg.tokens, // revocations, API tokens, logins, shared
});

const app = new Hono<OAuthEnv>();
oauth.install(app);
app.get("/read", oauth.requireCapability("read"), (c) => c.text(`${c.var.email} reads`));

export default { fetch: app.fetch, close: () => pg.close() };
