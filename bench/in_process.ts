// Figures 1 and 2: what authentication adds to one request answered in
// process (`app.request()`), when the credential was seen before and when not.
import type { Hono } from "hono";
import type { OAuthEnv } from "../mod.ts";
import { type Case, compare, type CompareOptions, medianMs } from "./_measure.ts";
import { addPeerRoutes, peerSession } from "./_peer.ts";
import { serviceToken, sessionCookie, startWorld, userToken, type World } from "./_world.ts";

const ORIGIN = "http://localhost";
const ANN = "ann@example.com";

/** The figures of the in-process benchmark. */
export interface InProcessResult {
  /** Per case: median µs per request, ratio to the bare route, spread of the ratio. */
  warm: Record<string, { us: number; ratio: number; spread: number }>;
  /** Median ms of the first request with a user token never seen (decrypt + provider refresh). */
  coldTokenMs: number;
  /** Median ms of the first request with a session cookie never seen (decrypt only). */
  coldSessionMs: number;
}

/** Sizes of the run: the full bench, or a smoke run. */
export interface InProcessOptions extends CompareOptions {
  /** First requests timed per cold path. */
  cold: number;
}

/** A request that must answer 200. */
function request(app: Hono<OAuthEnv>, path: string, headers: Record<string, string> = {}) {
  const init = { headers };
  return async () => {
    const res = await app.request(`${ORIGIN}${path}`, init);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  };
}

/**
 * The warm cases, in pairs: the same request sent to the bare route and to the
 * protected one, so that a ratio shows what the middleware adds and not what
 * building a request with a long header costs the caller. `:floor` cases send
 * it to an empty middleware of the same shape (see `_world.ts`).
 */
async function warmCases(world: World): Promise<Case[]> {
  const { app, mock } = world;
  const callers: [string, string, Record<string, string>, boolean][] = [
    ["bearer", "/read", { authorization: `Bearer ${await userToken(world, ANN)}` }, true],
    ["session", "/read", { cookie: await sessionCookie(world, ANN) }, true],
    ["service", "/read", { authorization: `Bearer ${await serviceToken(world)}` }, false],
    ["guest", "/browse", {}, true],
    ["oidc-auth", "/oidc/read", { cookie: await peerSession(app, mock, ANN) }, false],
  ];
  const cases: Case[] = [];
  for (const [name, path, headers, floor] of callers) {
    const baseline = `${name}:bare`;
    cases.push({ name: baseline, run: request(app, "/bare", headers) });
    cases.push({ name, run: request(app, path, headers), baseline });
    if (floor) {
      cases.push({ name: `${name}:floor`, run: request(app, "/floor", headers), baseline });
    }
  }
  cases.push({
    name: "oidc-auth-config",
    run: request(app, "/oidc-config/read", callers[4][2]),
    baseline: "oidc-auth:bare",
  });
  return cases;
}

/** Runs figures 1 and 2. */
export async function inProcess(options: InProcessOptions): Promise<InProcessResult> {
  await using world = await startWorld({ extend: addPeerRoutes });
  const cases = await warmCases(world);
  const timings = await compare(cases, options);
  const warm = Object.fromEntries(timings);
  // Cold: credentials made beforehand (concurrently), each used once.
  const count = options.cold;
  const emails = Array.from({ length: count }, (_, i) => `cold${i}@example.com`);
  const tokens = await Promise.all(emails.map((email) => userToken(world, email)));
  const cookies = await Promise.all(emails.map((email) => sessionCookie(world, email)));
  const first = (headers: (i: number) => Record<string, string>) => (i: number) =>
    request(world.app, "/me", headers(i))();
  const bearer = (i: number) => ({ authorization: `Bearer ${tokens[i]}` });
  const { ms: coldTokenMs } = await medianMs(count, first(bearer));
  const { ms: coldSessionMs } = await medianMs(count, first((i) => ({ cookie: cookies[i] })));
  return { warm, coldTokenMs, coldSessionMs };
}
