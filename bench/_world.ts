// The app every benchmark measures, served against the mock provider, with the
// credentials of each kind of caller already obtained the way a user would.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono, type MiddlewareHandler } from "hono";
import { type OAuthEnv, OAuthManager, type TokenStore } from "../mod.ts";
import { AppTester, OAuthMock } from "../testing/mod.ts";

/** The secret of the bench managers (and of `@hono/oidc-auth`'s sessions). */
export const SECRET = "iLTzGM87UUvaXx0yrNQ0tZrgEuJfKDNv1BXPjLrSVUk";

/** `read` is held through `write` (stored), `browse` by guests, `admin` by root. */
export const GRAPH = { read: [], write: ["read"], browse: [], user_management: [] };

/** The capability file of the bench app, with `extra` more accounts. */
export function usersYaml(extra = 0): string {
  const lines = [
    "ann@example.com: [write]",
    "bot@service: [read]",
    "root@example.com: [admin]",
  ];
  for (let i = 0; i < extra; i++) lines.push(`user${i}@example.com: [read]`);
  return lines.join("\n") + "\n";
}

/** The bench app, its manager, and the servers and files behind them. */
export interface World extends AsyncDisposable {
  mock: OAuthMock;
  tester: AppTester;
  oauth: OAuthManager;
  /**
   * `/bare` (no middleware), `/read` (`read`), `/browse` (`browse`, a guest
   * capability), `/me` (any user), `/floor` (an empty middleware of the same shape).
   */
  app: Hono<OAuthEnv>;
  /** The capability file. */
  userFile: string;
}

/**
 * The least any Hono middleware like `requireCapability` costs: it reads the
 * credential's header, awaits twice (who is calling, may they), sets the two
 * variables and calls the route. The figures show it beside ours, so that what
 * is Hono's and the runtime's share of a ratio can be told from ours.
 */
const floor: MiddlewareHandler<OAuthEnv> = async function floor(c, next) {
  const header = await Promise.resolve(c.req.header("authorization") ?? c.req.header("cookie"));
  c.set("user", null);
  c.set("email", header === undefined ? null : "");
  if (await Promise.resolve(true)) return await next();
};

/** Options of {@link startWorld}. */
export interface WorldOptions {
  /** Accounts in the capability file besides the three of the bench. @default {0} */
  extraUsers?: number;
  /** The token store. @default {the default: `caps.db` beside the capability file} */
  tokenStore?: TokenStore;
  /** Adds routes before the app is served (the `@hono/oidc-auth` peer, say). */
  extend?: (app: Hono<OAuthEnv>, mock: OAuthMock) => void;
}

/** Serves the mock provider and the bench app (on a capability file in a temporary folder). */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-bench-"));
  const userFile = join(dir, "caps.yaml");
  await writeFile(userFile, usersYaml(options.extraUsers ?? 0));
  const mock = await OAuthMock.start({ port: 0 });
  const oauth = new OAuthManager({
    serverMetadataUrl: mock.metadataUrl,
    secretKey: SECRET,
    clientId: "bench-client",
    clientSecret: "bench-secret",
    capabilities: { graph: GRAPH, userFile, guestCapabilities: ["browse"] },
    tokenStore: options.tokenStore,
    log: () => {},
  });
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/bare", (c) => c.text("ok"));
  app.get("/read", oauth.requireCapability("read"), (c) => c.text("ok"));
  app.get("/browse", oauth.requireCapability("browse"), (c) => c.text("ok"));
  app.get("/me", oauth.requireUser(), (c) => c.text("ok"));
  app.get("/floor", floor, (c) => c.text("ok"));
  options.extend?.(app, mock);
  const tester = await AppTester.start(app, mock);
  return {
    mock,
    tester,
    oauth,
    app,
    userFile,
    async [Symbol.asyncDispose]() {
      await tester.close();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh user token for `email`, through `GET /token` and the mock provider. */
export async function userToken(world: World, email: string): Promise<string> {
  const client = await world.tester.client(email);
  return client.token!;
}

/** A service token for `bot@service`, asked of `GET /token?user=` by an admin. */
export async function serviceToken(world: World): Promise<string> {
  const client = await world.tester.serviceClient("bot@service", { as: "root@example.com" });
  return client.token!;
}

/** A `Cookie` header with a fresh session of `email`, through `/login`, the mock and `/auth`. */
export async function sessionCookie(world: World, email: string): Promise<string> {
  const browser = world.tester.browser();
  // Back to a route that does not read the session: the cookie stays unseen.
  await browser.get("/login", { login_hint: email, next: "/bare" });
  const session = [...browser.cookies(world.tester.url)].find(([name]) =>
    name.endsWith("_session")
  );
  if (!session) throw new Error(`no session cookie after logging ${email} in`);
  return `${session[0]}=${session[1]}`;
}
