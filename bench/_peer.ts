// The peer: the same route behind `@hono/oidc-auth`, configured as its README
// says (environment variables), with a session obtained through the mock.
import { initOidcAuthMiddleware, oidcAuthMiddleware, processOAuthCallback } from "@hono/oidc-auth";
import type { Hono } from "hono";
import process from "node:process";
import type { OAuthEnv } from "../mod.ts";
import type { OAuthMock } from "../testing/mod.ts";
import { SECRET } from "./_world.ts";

const ORIGIN = "http://localhost";

/** What `@hono/oidc-auth` reads from the environment, for the mock at `issuer`. */
function variables(issuer: string): Record<string, string> {
  return {
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: "peer-client",
    OIDC_CLIENT_SECRET: "peer-secret",
    OIDC_AUTH_SECRET: SECRET,
    OIDC_REDIRECT_URI: "/oidc/callback",
    OIDC_SCOPES: "openid email",
  };
}

/**
 * Adds `/oidc/read` (configured through environment variables, the documented
 * way) and `/oidc-config/read` (the same, configured in code with
 * `initOidcAuthMiddleware`), plus their callback.
 */
export function addPeerRoutes(app: Hono<OAuthEnv>, mock: OAuthMock): void {
  const env = variables(mock.url);
  // node:process, so that Bun (for the smoke test) and Deno both see them.
  for (const [name, value] of Object.entries(env)) process.env[name] = value;
  const ok = (c: { text(s: string): Response }) => c.text("ok");
  app.get("/oidc/callback", (c) => processOAuthCallback(c));
  app.get("/oidc/read", oidcAuthMiddleware(), ok);
  app.get("/oidc-config/read", initOidcAuthMiddleware(env), oidcAuthMiddleware(), ok);
}

/** Cookies as a `Cookie` header, from `Set-Cookie` lines. */
function cookieHeader(response: Response): string {
  return response.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
}

/**
 * Logs `email` in through `@hono/oidc-auth` (in process, the provider over
 * loopback) and returns the `Cookie` header of its session.
 */
export async function peerSession(app: Hono<OAuthEnv>, mock: OAuthMock, email: string) {
  await mock.setEmail(email);
  const start = await app.request(`${ORIGIN}/oidc/read`);
  const authorize = start.headers.get("location");
  if (start.status !== 302 || !authorize) {
    throw new Error(`@hono/oidc-auth did not redirect to the provider: ${start.status}`);
  }
  const back = await fetch(authorize, { redirect: "manual" });
  await back.body?.cancel();
  const callback = back.headers.get("location");
  if (!callback) throw new Error(`the provider did not redirect back: ${back.status}`);
  const done = await app.request(callback, { headers: { cookie: cookieHeader(start) } });
  const session = done.headers.getSetCookie().find((line) => line.startsWith("oidc-auth="));
  if (done.status !== 302 || !session) {
    throw new Error(`@hono/oidc-auth did not open a session: ${done.status} ${await done.text()}`);
  }
  return session.split(";")[0];
}
