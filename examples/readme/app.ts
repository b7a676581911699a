// app.ts — the app, made by a function: the server (main.ts) and the tests each make their own
import { Hono } from "hono";
import { CapabilitySet, type OAuthEnv, OAuthManager } from "@easy-oauth/hono";

/** What differs between the server and a test. */
export interface AppOptions {
  /** The provider's OpenID discovery document */
  serverMetadataUrl: string;
  /** Encrypts sessions and tokens (32+ characters; `easy-oauth secret` makes a good one) */
  secretKey: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** Each user's capabilities; the app's other data files go beside it */
  userFile?: string | undefined;
}

export function createApp(options: AppOptions): Hono<OAuthEnv> {
  const oauth = new OAuthManager({
    serverMetadataUrl: options.serverMetadataUrl,
    secretKey: options.secretKey, // a list rotates keys: the first seals, all of them open
    clientId: options.clientId,
    clientSecret: options.clientSecret,
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
      userFile: options.userFile ?? "caps.yaml", // each user's capabilities
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
  return app;
}
