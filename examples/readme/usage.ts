// app.ts — `deno serve -A --port 3000 app.ts`, or `bun app.ts` (port 3000)
import process from "node:process";
import { Hono } from "hono";
import { CapabilitySet, type OAuthEnv, OAuthManager } from "@easy-oauth/hono";

const oauth = new OAuthManager({
  // The provider's OpenID discovery document
  serverMetadataUrl: process.env.SERVER_METADATA_URL ??
    "https://accounts.google.com/.well-known/openid-configuration",
  // Encrypts sessions and tokens (16+ characters; `deno run -A jsr:@easy-oauth/hono/cli secret`
  // makes a good one). A list rotates keys: the first seals, all of them open.
  secretKey: process.env.SECRET_KEY!,
  clientId: process.env.CLIENT_ID!,
  clientSecret: process.env.CLIENT_SECRET,
  // Extra parameters of the authorization request
  clientKwargs: { scope: "openid email", prompt: "select_account" },
  capabilities: new CapabilitySet({ // or the plain options object
    graph: {
      read: [], // a basic capability
      write: ["read"], // write implies read
      moderate: ["read", "write"],
      announce: ["read", "write"],
      user_management: [], // needed to manage others' capabilities
    },
    autoAdmin: true, // adds "admin", which implies every other capability
    userFile: "caps.yaml", // each user's capabilities
    userOverrides: {}, // email -> capabilities granted by configuration, never written to the file
    defaultCapabilities: ["read"], // granted to every authenticated user
    guestCapabilities: [], // granted to unauthenticated requests
  }),
  prefix: "", // "/api/v1" puts the routes at /api/v1/login etc.
});

const app = new Hono<OAuthEnv>();
oauth.install(app); // = app.route(prefix, oauth.routes())

app.get(
  "/shout",
  oauth.requireCapability("announce", { redirect: true }),
  (c) => c.text(`${c.var.email} shouts ${JSON.stringify(c.req.query("message"))}`),
);

export default app;
