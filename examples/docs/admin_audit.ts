// An app behind a proxy that sets X-Real-IP: the audit trail records that
// address, and every login and logout too. Its trail is kept in a file of
// its own beside the token store's, oauth.audit.db.
import process from "node:process";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, SqliteAuditLog, SqliteStore } from "@easy-oauth/hono";

const file = process.env.OAUTH_DB ?? "oauth.db";
const oauth = new OAuthManager({
  serverMetadataUrl: process.env.SERVER_METADATA_URL!,
  secretKey: process.env.SECRET_KEY!,
  clientId: process.env.CLIENT_ID!,
  clientSecret: process.env.CLIENT_SECRET,
  capabilities: {
    graph: { read: [], write: ["read"], user_management: [] },
    userOverrides: { "boss@example.com": ["admin"] },
  },
  tokenStore: new SqliteStore(file),
  // The default with a SqliteStore; given here to keep entries 90 days instead of a year.
  audit: new SqliteAuditLog(file.replace(/\.db$/, ".audit.db"), {
    retention: 90 * 24 * 3600 * 1000,
  }),
  auditLogins: true,
  // Only behind a proxy that always sets it: a client could send it otherwise.
  clientAddress: (c) => c.req.header("x-real-ip"),
});

const app = new Hono<OAuthEnv>();
oauth.install(app); // the admin page is at /manage_capabilities/
export default app;
