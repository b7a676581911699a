/**
 * The headless login (the `headless/` folder: these routes, and the pairings
 * in `headless_logins.ts`), below `routes/` and above `login/`.
 *
 * Headless login for command-line tools: GET /login?headless=true starts a
 * pairing, a person confirms and logs in at login_url, the tool polls token_url.
 *
 * What binds it (the device flow's threats, RFC 8628 §5.3-5.4):
 * - token_url names the pairing by a public id; redeeming also needs the poll
 *   key, sent only to the tool that started it, in a cookie (never in a URL).
 * - login_url's code works once: whoever opens it first gets the one
 *   confirmation form (a one-time key in the page, not in a URL), so a copy of
 *   the URL seen later, in a log or over a shoulder, is useless.
 * - The confirmation page shows the user code the tool printed, and where
 *   and when the login was started (address, the tool's User-Agent, the time)
 *   and what confirming gives away: a person sent someone else's link is told
 *   not to continue, and Cancel ends the pairing (the tool gets access_denied).
 * - Starts are bounded per client address and overall; past the bounds they
 *   get a 429 with Retry-After, and no pairing is ever evicted early.
 * - Tokens minted this way live `headlessTokenLifetime` (30 days by default).
 * - The browser login that follows carries the pairing in its sealed,
 *   single-use login state: nobody else's callback can complete it.
 * - Everything is single-use and expires in five minutes.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Core } from "../_core.ts";
import { errorResponse, isSameOriginRequest, NO_STORE } from "../http/http.ts";
import { HEADLESS_TTL, type HeadlessLogins, type Requester } from "./headless_logins.ts";
import type { OAuthEnv } from "../env.ts";
import type { Identity } from "../oidc/client.ts";
import { throughContext, wantsHtml } from "../pages/_html.ts";
import { confirmPage, headlessCancelledPage, headlessDonePage } from "../pages/headless_page.ts";
import { beginLogin } from "../login/begin_login.ts";
import { mintToken } from "../login/user_tokens.ts";

/** How long a tool should wait between polls, in seconds. */
const POLL_INTERVAL = 2;

function pollCookie(c: Context, core: Core, id: string): string {
  const secure = core.origin(c).startsWith("https:");
  // The __Host- prefix pins the cookie to this host, https and Path=/.
  return `${secure ? "__Host-" : ""}easy_oauth_headless_${id.slice(0, 16)}`;
}

/** `GET /login?headless=true`: a new pairing, for the tool that asks. */
export function startHeadless(core: Core, c: Context, pairings: HeadlessLogins): Response {
  const pairing = pairings.create(requesterOf(core, c));
  if (!("id" in pairing)) {
    core.log(
      pairing.scope === "address"
        ? "refused a headless login start: too many pending from one address"
        : "refused a headless login start: too many pending",
    );
    return errorResponse(
      429,
      "too_many_requests",
      pairing.scope === "address"
        ? "Too many headless logins were started from this address; try again later."
        : "Too many headless logins are pending; try again later.",
      { "Retry-After": String(pairing.retryAfter) },
    );
  }
  const base = core.origin(c) + core.path("/login/headless/");
  const loginUrl = `${base}${pairing.id}?${new URLSearchParams({ code: pairing.loginCode })}`;
  setCookie(c, pollCookie(c, core, pairing.id), pairing.pollKey, {
    path: "/",
    httpOnly: true,
    secure: core.origin(c).startsWith("https:"),
    sameSite: "Strict",
    maxAge: HEADLESS_TTL,
  });
  return c.json(
    {
      login_url: loginUrl,
      token_url: core.origin(c) + core.path(`/token/headless/${pairing.id}`),
      expires_in: HEADLESS_TTL,
      user_code: pairing.userCode,
      interval: POLL_INTERVAL,
    },
    200,
    NO_STORE,
  );
}

/** Adds the headless login's browser pages and its polling route (under the prefix). */
export function headlessRoutes(core: Core, app: Hono<OAuthEnv>, pairings: HeadlessLogins): void {
  app.get("/login/headless/:id", (c) => {
    const pairing = pairings.open(c.req.param("id"), c.req.query("code"));
    if (!pairing) return usedUp();
    return confirmPage({
      action: core.path(`/login/headless/${pairing.id}`),
      confirmKey: pairing.confirmKey!,
      userCode: pairing.userCode,
      ...pairing.requester,
      startedAt: pairing.startedAt,
      now: core.clock(),
      tokenLifetime: core.options.headlessTokenLifetime,
    });
  });
  app.post("/login/headless/:id", async (c) => {
    if (!isSameOriginRequest(c, core.trustedOrigins(c))) {
      return errorResponse(403, "cross_site_request", "Confirm on this site's own page.");
    }
    const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      return errorResponse(415, "unsupported_media_type", "Send the confirmation form.");
    }
    const form = new URLSearchParams(await c.req.text());
    if (form.get("cancel") === "true") {
      const cancelled = pairings.cancel(c.req.param("id"), form.get("confirm") ?? undefined);
      if (!cancelled) return usedUp();
      core.log("a headless login was cancelled on its confirmation page");
      return headlessCancelledPage();
    }
    const pairing = pairings.confirm(c.req.param("id"), form.get("confirm") ?? undefined);
    if (!pairing) return usedUp();
    if (core.options.forceUser) return usedUp();
    return await beginLogin(core, c, {
      callback: "token",
      offline: true,
      next: "/",
      prompt: "select_account",
      headless: pairing.id,
    });
  });
  app.get("/token/headless/:id", (c) => poll(core, c, pairings));
}

/** Who starts a pairing: the client's address and the tool's User-Agent (printable, cut short). */
function requesterOf(core: Core, c: Context): Requester {
  const address = core.options.clientAddress(c);
  const agent = c.req.header("user-agent");
  const printable = (text: string, max: number) =>
    // deno-lint-ignore no-control-regex
    text.replace(/[\x00-\x1f\x7f-\x9f]/g, "").slice(0, max);
  return {
    ...(typeof address === "string" && address ? { address: printable(address, 100) } : {}),
    ...(agent ? { userAgent: printable(agent, 200) } : {}),
  };
}

function usedUp(): Response {
  return errorResponse(
    400,
    "invalid_request",
    "This headless login expired or its link was already used; start it again from the tool.",
  );
}

function poll(core: Core, c: Context, pairings: HeadlessLogins): Response {
  const id = c.req.param("id") ?? "";
  const pairing = pairings.get(id);
  if (!pairing) return usedUp();
  if (!pairings.holds(pairing, getCookie(c, pollCookie(c, core, id)))) {
    core.log("a headless login was polled without its poll key");
    return errorResponse(403, "forbidden", "Only the tool that started this login can redeem it.");
  }
  if (pairing.status === "done") {
    pairings.delete(id);
    return c.json({ refresh_token: pairing.token, email: pairing.email }, 200, NO_STORE);
  }
  if (pairing.status === "failed") {
    pairings.delete(id);
    const { code, detail } = pairing.error!;
    return errorResponse(400, code === "access_denied" ? "access_denied" : "login_failed", detail);
  }
  return c.json({ status: "pending" }, 202, { ...NO_STORE, "Retry-After": String(POLL_INTERVAL) });
}

/**
 * The callback of a headless login's browser side: the token goes to the
 * pairing, not the page. No session holds the grant: the tool's token does.
 */
export async function finishHeadless(
  core: Core,
  c: Context,
  pairings: HeadlessLogins,
  id: string,
  identity: Identity,
  provider: { refreshToken: string | undefined; checkedUntil?: number },
): Promise<Response> {
  const { refreshToken, checkedUntil } = provider;
  if (!refreshToken) {
    pairings.fail(id, "login_failed", "The identity provider did not issue a refresh token.");
    return errorResponse(
      502,
      "login_failed",
      "The identity provider did not issue a refresh token.",
    );
  }
  if (pairings.get(id)?.status !== "confirmed") return usedUp();
  const gid = await core.grants!.create(
    identity,
    { rt: refreshToken },
    { sessionUntil: 0, tokens: [], offline: true, ...(checkedUntil ? { checkedUntil } : {}) },
    HEADLESS_TTL,
  );
  const minted = await mintToken(core, identity, gid, c, core.options.headlessTokenLifetime);
  if (typeof minted !== "string") {
    pairings.fail(id, "login_failed", "No token could be made for this account.");
    return minted ?? errorResponse(502, "login_failed", "No token could be made for this login.");
  }
  if (!pairings.complete(id, minted, identity.email)) return usedUp();
  await core.audit.record(c, { user: { email: identity.email, kind: "user" }, via: "cookie" }, {
    kind: "headless_login",
    account: identity.email,
    via: "login",
  });
  if (wantsHtml(c)) return await throughContext(c, headlessDonePage(identity.email));
  return c.json({ status: "ok", email: identity.email }, 200, NO_STORE);
}
