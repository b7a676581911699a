// Shared by this package's own tests (not published): the seed's example app,
// served against a mock provider, with one clock for both.
import { equal as assertEqual, match as assertMatch } from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, type OAuthManagerOptions } from "../mod.ts";
import * as oauth from "oauth4webapi";
import { AppTester, OAuthMock } from "./mod.ts";
import type { OidcClient, TokenResult } from "../src/oidc/client.ts";
import { GRAPH as EXAMPLE_GRAPH } from "../examples/app.ts";

/** A clock that tests move by hand. */
export class TestClock {
  now = Date.UTC(2026, 0, 1);
  readonly read = (): number => this.now;
  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

export const SECRET = "NeTTSIj1lhb9x78T3sIdMsiEe0hevvPrcpyq78TVvDI";

/** The graph of the Python README, and the seed's "baker" for service accounts. */
export const GRAPH: Record<string, string[]> = { ...EXAMPLE_GRAPH, baker: [] };

export interface Example extends AsyncDisposable {
  mock: OAuthMock;
  tester: AppTester;
  oauth: OAuthManager;
  app: Hono<OAuthEnv>;
  clock: TestClock;
  /** A temporary folder, removed at the end. */
  dir: string;
  userFile: string;
  /** What the manager logged. */
  logs: string[];
}

/** Starts the mock, the example app on a capability file in a temp folder, and an AppTester. */
export async function startExample(
  overrides: Partial<OAuthManagerOptions> & { users?: string; defaults?: string[] } = {},
): Promise<Example> {
  const clock = new TestClock();
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-test-"));
  const userFile = join(dir, "caps.yaml");
  const { users, defaults = [], ...options } = overrides;
  if (users !== undefined) await writeFile(userFile, users);
  const mock = await OAuthMock.start({ port: 0, clock: clock.read });
  const logs: string[] = [];
  const oauth = new OAuthManager({
    serverMetadataUrl: mock.metadataUrl,
    secretKey: SECRET,
    clientId: "example-client",
    clientSecret: "example-secret",
    capabilities: {
      graph: GRAPH,
      autoAdmin: true,
      userFile,
      defaultCapabilities: defaults,
      guestCapabilities: [],
      userOverrides: { "boss@example.com": ["admin"] },
    },
    clock: clock.read,
    log: (message) => logs.push(message),
    ...options,
  });
  const app = new Hono<OAuthEnv>();
  oauth.install(app);
  app.get("/", (c) => c.text("home"));
  app.get("/hello", oauth.middleware(), (c) => c.text(`hello ${c.var.email ?? "guest"}`));
  app.get("/read", oauth.requireCapability("read"), (c) => c.text(`read by ${c.var.email}`));
  app.get("/write", oauth.requireCapability("write"), (c) => c.text(`written by ${c.var.email}`));
  app.get(
    "/shout",
    oauth.requireCapability("announce", { redirect: true }),
    (c) => c.text(`${c.var.email} shouts ${JSON.stringify(c.req.query("message"))}`),
  );
  app.get("/me", oauth.requireUser(), (c) => c.json(c.var.user));
  app.get(
    "/bake",
    oauth.requireCapability("baker"),
    (c) => c.text(`${c.var.email} bakes ${c.req.query("food")}`),
  );
  const tester = await AppTester.start(app, mock, { prefix: oauth.prefix });
  return {
    mock,
    tester,
    oauth,
    app,
    clock,
    dir,
    userFile,
    logs,
    async [Symbol.asyncDispose]() {
      await tester.close();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const BROWSER = { accept: "text/html,*/*;q=0.8" };

/** A person's browser: opens login_url, confirms, logs in at the provider; returns the last page. */
export async function completeHeadlessLogin(loginUrl: string, userCode: string): Promise<Response> {
  const opened = await fetch(loginUrl, { headers: BROWSER });
  assertEqual(opened.status, 200);
  const page = await opened.text();
  assertMatch(page, new RegExp(`id="user-code"[^>]*>${userCode}<`));
  const key = /name="confirm" value="([^"]+)"/.exec(page)![1];
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(page)![1], loginUrl);
  return await confirmHeadlessLogin(action, key);
}

/** Posts the confirmation form and follows the login through the provider, without a browser. */
export async function confirmHeadlessLogin(action: URL, key: string): Promise<Response> {
  const confirmed = await fetch(action, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...BROWSER },
    body: new URLSearchParams({ confirm: key }),
  });
  if (confirmed.status !== 302) return confirmed;
  const loginCookie = confirmed.headers.getSetCookie().map((l) => l.split(";")[0]).join("; ");
  const atProvider = await fetch(confirmed.headers.get("location")!, { redirect: "manual" });
  return await fetch(atProvider.headers.get("location")!, {
    redirect: "manual",
    headers: { cookie: loginCookie, ...BROWSER },
  });
}

/** Logs `email` in through `client` at the mock (which logs in without asking), as the app would. */
export async function loginWith(
  client: OidcClient,
  email = "ann@example.com",
): Promise<TokenResult> {
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const redirectUri = "http://127.0.0.1:1/auth";
  const url = await client.authorizationUrl({
    redirectUri,
    state,
    nonce,
    codeVerifier,
    extra: { scope: "openid email" },
    offline: true,
    loginHint: email,
  });
  const res = await fetch(url, { redirect: "manual" });
  const callback = new URL(res.headers.get("location")!);
  return await client.exchangeCode(callback, { state, nonce, codeVerifier, redirectUri });
}
