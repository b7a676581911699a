// Section 7: the peer a team would pick instead, better-auth (its Hono
// integration, on PostgreSQL through `pg` as its docs show, with its session
// cookie cache on and off), beside our session check and @hono/oidc-auth's:
// the same request, with each one's session cookie, to the bare route and to
// the protected one.
import type { Hono, MiddlewareHandler } from "hono";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import pg from "pg";
import type { OAuthEnv } from "../mod.ts";
import { type Case, compare, type CompareOptions, type Timing } from "./_measure.ts";
import { addPeerRoutes, peerSession } from "./_peer.ts";
import { SECRET, sessionCookie, startWorld } from "./_world.ts";

const ORIGIN = "http://localhost";
const ANN = "ann@example.com";

/** What section 7 measured: per case, µs per request and the ratio to the bare route. */
export type PeerResult = Record<string, Timing>;

type Auth = ReturnType<typeof makeAuth>;

// deno-lint-ignore explicit-function-return-type
function makeAuth(pool: pg.Pool, cache: boolean) {
  return betterAuth({
    database: pool,
    secret: SECRET,
    baseURL: ORIGIN,
    emailAndPassword: { enabled: true },
    session: { cookieCache: { enabled: cache, maxAge: 300 } },
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
}

/** better-auth's own Hono middleware pattern: the session from the request's headers, or 401. */
function requireSession(auth: Auth): MiddlewareHandler {
  return async function betterAuthSession(c, next) {
    const session = await auth.api.getSession({ headers: c.req.raw.headers });
    if (!session) return c.text("unauthenticated", 401);
    c.set("user" as never, session.user as never);
    return await next();
  };
}

/** Runs section 7 against the database at `databaseUrl`. */
export async function betterAuthPeer(
  databaseUrl: string,
  options: CompareOptions,
): Promise<PeerResult> {
  const schema = `bench_ba_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await admin.query(`create schema "${schema}"`);
  const pool = new pg.Pool({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  try {
    const cached = makeAuth(pool, true);
    const uncached = makeAuth(pool, false);
    await (await getMigrations(cached.options)).runMigrations();
    const signUp = await cached.api.signUpEmail({
      body: { email: ANN, password: "a long enough password", name: "Ann" },
      asResponse: true,
    });
    const baCookie = signUp.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
    const extend = (app: Hono<OAuthEnv>, mock: Parameters<typeof addPeerRoutes>[1]) => {
      addPeerRoutes(app, mock);
      app.get("/ba-cache/read", requireSession(cached), (c) => c.text("ok"));
      app.get("/ba-nocache/read", requireSession(uncached), (c) => c.text("ok"));
    };
    await using world = await startWorld({ extend });
    const cookies: Record<string, string> = {
      ours: await sessionCookie(world, ANN),
      "oidc-auth": await peerSession(world.app, world.mock, ANN),
      "better-auth-cache": baCookie,
      "better-auth-nocache": baCookie,
    };
    const paths: Record<string, string> = {
      ours: "/read",
      "oidc-auth": "/oidc/read",
      "better-auth-cache": "/ba-cache/read",
      "better-auth-nocache": "/ba-nocache/read",
    };
    const cases: Case[] = [];
    for (const [name, cookie] of Object.entries(cookies)) {
      const request = (path: string) => async () => {
        const res = await world.app.request(`${ORIGIN}${path}`, { headers: { cookie } });
        if (res.status !== 200) throw new Error(`${name} ${path} answered ${res.status}`);
      };
      cases.push({ name: `${name}:bare`, run: request("/bare") });
      cases.push({ name, run: request(paths[name]), baseline: `${name}:bare` });
    }
    return Object.fromEntries(await compare(cases, options));
  } finally {
    await pool.end();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
}
