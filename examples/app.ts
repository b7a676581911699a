/**
 * The example app of the Python easy-oauth README, on Hono: capabilities
 * read/write/moderate/announce/user_management, a `/shout` route for
 * announcers, and the capability file `examples/caps.yaml`.
 *
 * `deno task demo` runs it against the mock OpenID provider, in one process:
 *
 * ```sh
 * deno task demo            # app on http://127.0.0.1:8000, provider on :29313
 * deno task demo --port 8080
 * ```
 *
 * @module
 */
import { Hono } from "hono";
import {
  CapabilitySet,
  type OAuthEnv,
  type OAuthManager,
  type OAuthManagerOptions,
} from "../mod.ts";
// The demo looks like the pages the module ships: the same page frame and style.
import { constant, html, pageResponse, wantsHtml } from "../src/pages/_html.ts";

/** The capability graph of the Python README. */
export const GRAPH: Record<string, string[]> = {
  read: [],
  write: ["read"],
  moderate: ["read", "write"],
  announce: ["read", "write"],
  user_management: [],
};

/** Options of {@link createApp}. */
export interface ExampleAppOptions {
  /**
   * Sets who the mock provider logs in next. With it, the home page offers
   * "switch user" (`POST /switch_user`, then a new login), as `deno task demo` does.
   */
  switchUser?: (email: string) => void | Promise<void>;
}

/** Builds the example app around a manager. */
export function createApp(oauth: OAuthManager, options: ExampleAppOptions = {}): Hono<OAuthEnv> {
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/", oauth.middleware(), async (c) => {
    const who = c.var.email ?? "nobody (a guest)";
    // The admin page, for those who may use it (the demo's test@example.com, an admin).
    const manager = c.var.email !== null &&
      await oauth.capabilities.check(c.var.email, "user_management");
    const admin = manager
      ? html`
        <li><a id="admin-page" href="/manage_capabilities/">The admin page</a>: accounts, capabilities,
        tokens in circulation and their history (you hold "user_management")</li>
      `
      : "";
    const body = html`
      <h1>easy-oauth for Hono</h1>
      <p id="who">You are ${who}.</p>${options.switchUser ? SWITCH_FORM : ""}
      <ul>
        <li><a href="/login">/login</a> and <a href="/logout">/logout</a></li>
        <li><a href="/shout?message=hello">/shout?message=hello</a> (needs "announce"; logs you in first)</li>
        <li><a href="/token">/token</a>: a token for scripts (<code>Authorization: Bearer …</code>)</li>
        <li><a href="/token/whoami">/token/whoami</a>: who a token (or this browser) is</li>
        <li><a href="/manage_capabilities/list">/manage_capabilities/list</a> and
      <a href="/manage_capabilities/users">/manage_capabilities/users</a></li>${admin}
      </ul>
    `;
    // The switch-user form leads to the provider through redirects: any form target.
    return pageResponse(200, "easy-oauth demo", body, { anyFormTarget: true });
  });
  app.get("/favicon.ico", () =>
    new Response(FAVICON, {
      headers: { "content-type": "image/svg+xml", "cache-control": "max-age=86400" },
    }));
  app.notFound((c) => {
    if (!wantsHtml(c)) return c.json({ error: "not_found", detail: "No such page." }, 404);
    const body = html`<h1>Page not found</h1>
<p>There is no page at <code>${c.req.path}</code>.</p>
<p class="actions"><a href="/">Home</a></p>`;
    return pageResponse(404, "Page not found", body);
  });
  app.get(
    "/shout",
    oauth.requireCapability("announce", { redirect: true }),
    (c) => c.text(`${c.var.email} shouts ${JSON.stringify(c.req.query("message"))}`),
  );
  app.get("/read", oauth.requireCapability("read"), (c) => c.text(`${c.var.email} reads`));
  app.post("/write", oauth.requireCapability("write"), (c) => c.text(`${c.var.email} writes`));
  const switchUser = options.switchUser;
  if (switchUser) {
    app.post("/switch_user", async (c) => {
      // Another site's form must not pick who this demo logs in.
      const origin = c.req.header("origin");
      if (origin !== undefined && origin !== new URL(c.req.url).origin) {
        return c.text("Cross-site requests are refused.", 403);
      }
      // A malformed form (a multipart type without boundary, a truncated part) is the sender's fault.
      const form = await c.req.parseBody().catch(() => undefined);
      if (!form) return c.text("The form could not be read.", 400);
      const email = form.email;
      try {
        await switchUser(typeof email === "string" ? email.trim() : "");
      } catch (error) {
        if (error instanceof TypeError) return c.text(error.message, 400);
        throw error;
      }
      // The mock's email counts at the next login only: log in again now.
      return c.redirect("/login?next=%2F", 303);
    });
  }
  return app;
}

/** A key, as the demo's icon. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<circle cx="5" cy="8" r="3.5" fill="none" stroke="#2a5db0" stroke-width="2"/>
<path d="M8.5 8H15M12 8v3M14.5 8v2" stroke="#2a5db0" stroke-width="2"/></svg>`;

const SWITCH_FORM = constant(`
<form method="post" action="/switch_user">
<label>Switch user: <input name="email" type="email" required placeholder="friend@rainbows.com"></label>
<button>Log in as this user</button>
</form>
<p><small>This form sets the email the mock provider's login page suggests (as its
<code>POST /set_email</code> does) and logs you in again; or log in again and type another email
there.</small></p>`);

/** The example's manager options, for a provider at `serverMetadataUrl`. */
export function exampleOptions(
  serverMetadataUrl: string,
  secretKey: string,
  userFile: string | URL = new URL("./caps.yaml", import.meta.url),
): OAuthManagerOptions {
  return {
    serverMetadataUrl,
    secretKey,
    clientId: "demo-client",
    clientSecret: "demo-secret",
    clientKwargs: { scope: "openid email", prompt: "select_account" },
    capabilities: new CapabilitySet({
      graph: GRAPH,
      autoAdmin: true,
      userFile,
      defaultCapabilities: ["read"],
      guestCapabilities: [],
    }),
    prefix: "",
  };
}
