/**
 * The routes under the prefix (the `routes/` folder, the top of `src/`'s
 * layers): login, callback, `/token` and logout here; service, revocation and
 * API tokens in `token_routes.ts`; capability management in
 * `manage_capabilities.ts`.
 *
 * GET /login, /auth, /token and /logout. Redirects back into the app answer 307, as the
 * Python package's Starlette does; only the one to the provider is a 302.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { FORCED_TOKEN } from "../_core.ts";
import { errorResponse, isSameOriginRequest, NO_STORE } from "../http/http.ts";
import { safeReturnPath } from "../http/redirect.ts";
import { LoginError, OfflineNotAllowed } from "../oidc/client.ts";
import { canonicalEmail } from "../_email.ts";
import type { OAuthEnv } from "../env.ts";
import { SESSION_TTL } from "../credentials/session.ts";
import { serviceToken } from "./token_routes.ts";
import { throughContext, wantsHtml } from "../pages/_html.ts";
import { handOver, takeHandover } from "../login/handover.ts";
import { continuePage, offlineLoginPage, tokenPage } from "../pages/token_page.ts";
import { USER_TOKEN_TTL } from "../credentials/tokens.ts";
import { HeadlessLogins } from "../headless/headless_logins.ts";
import { finishHeadless, headlessRoutes, startHeadless } from "../headless/headless_routes.ts";
import { confirmationPage } from "./_confirm_page.ts";
import { endSession, leaveSession, mintToken, usableGrant } from "../login/user_tokens.ts";
import { beginLogin, redirectUri } from "../login/begin_login.ts";
import { backchannelLogoutRoute } from "./backchannel_logout.ts";

/** The `prompt` values of OpenID Connect Core §3.1.2.1 that `/login?prompt=` passes on. */
const PROMPTS = ["login", "select_account", "consent"];

/** Adds the login routes to `app` (already mounted under the prefix). */
export function authRoutes(core: Core, app: Hono<OAuthEnv>): void {
  const pairings = new HeadlessLogins(core.clock);
  app.get("/login", (c) => login(core, c, pairings));
  app.get("/auth", (c) => callback(core, c, "auth", pairings));
  app.get("/token", (c) => token(core, c, pairings));
  headlessRoutes(core, app, pairings);
  app.get("/logout", (c) => logout(core, c, 307));
  app.post("/logout", (c) => logout(core, c, 303));
  backchannelLogoutRoute(core, app);
}

/**
 * Ends the session (and with `providerLogout`, the provider's), unless
 * another site asked (a forged logout, CSRF).
 */
async function logout(core: Core, c: Context, status: 307 | 303): Promise<Response> {
  if (!isSameOriginRequest(c, core.trustedOrigins(c))) {
    return errorResponse(403, "cross_site_request", "Log out from this site's own pages.");
  }
  const caller = await core.caller(c);
  // A session whose revocation cannot be written must not look logged out:
  // its cookie would work again once the store is back. The 503 is logged.
  if (caller instanceof Response && core.storeDown(caller)) return caller;
  const session = !(caller instanceof Response) && caller.via === "cookie" && caller.user
    ? await core.sessions.read(c)
    : null;
  const target = await endSession(core, c, session);
  if (session && core.audit.logins && !(caller instanceof Response)) {
    await core.audit.record(c, caller, { kind: "logout", account: session.email, via: "login" });
  }
  core.sessions.clear(c);
  // To the provider always as a GET (303).
  return target === "/" ? c.redirect("/", status) : c.redirect(target, 303);
}

async function login(core: Core, c: Context, pairings: HeadlessLogins): Promise<Response> {
  const headless = c.req.query("headless");
  if (headless !== undefined) {
    if (headless !== "true") {
      return errorResponse(400, "invalid_request", '"headless" must be "true".');
    }
    // A command-line tool sends neither Origin nor Sec-Fetch-Site; a browser sent by another site does.
    if (!isSameOriginRequest(c, core.trustedOrigins(c))) {
      return errorResponse(
        403,
        "cross_site_request",
        "Another site cannot start a headless login; run the command-line tool.",
      );
    }
    return startHeadless(core, c, pairings);
  }
  const callbackName = c.req.query("redirect") ?? "auth";
  if (callbackName !== "auth" && callbackName !== "token") {
    return errorResponse(400, "invalid_request", '"redirect" must be "auth" or "token".');
  }
  // Its callback mints: the rule of GET /token (another site's navigation
  // mints nothing without a confirmation on this origin).
  const sameOrigin = isSameOriginRequest(c, core.trustedOrigins(c));
  if (callbackName === "token" && !sameOrigin) return confirmationPage(core, c, "/login");
  const offline = c.req.query("offline_token");
  if (offline !== undefined && offline !== "true" && offline !== "false") {
    return errorResponse(400, "invalid_request", '"offline_token" must be "true" or "false".');
  }
  const loginHint = c.req.query("login_hint");
  if (loginHint !== undefined && (loginHint.length > 254 || hasControlCharacter(loginHint))) {
    return errorResponse(400, "invalid_request", '"login_hint" is not a valid hint.');
  }
  const prompt = c.req.query("prompt");
  if (prompt !== undefined && !PROMPTS.includes(prompt)) {
    return errorResponse(400, "invalid_request", `"prompt" must be one of ${PROMPTS.join(", ")}.`);
  }
  // A link on another site must not end the session (a forced logout): then
  // the session stays until this login's callback replaces it.
  if (sameOrigin) {
    await leaveSession(core, c);
    core.sessions.clear(c);
  }
  if (core.options.forceUser) return c.redirect(safeReturnPath(c.req.query("next")), 307);
  return await beginLogin(core, c, {
    callback: callbackName,
    offline: offline === "true" || callbackName === "token",
    next: safeReturnPath(c.req.query("next")),
    loginHint,
    prompt,
  });
}

/** The provider came back: finish the login, start a new session. */
async function callback(
  core: Core,
  c: Context,
  callbackName: "auth" | "token",
  pairings: HeadlessLogins,
): Promise<Response> {
  if (core.options.forceUser) return c.redirect("/", 307);
  const state = c.req.query("state");
  const login = state ? await core.sessions.takeLogin(c, state) : null;
  if (!login || login.callback !== callbackName) {
    return errorResponse(
      400,
      "invalid_state",
      "This login expired, was already used, or was not started here; start again at the login page.",
    );
  }
  try {
    const callbackUrl = new URL(c.req.url);
    const result = await core.oidc!.exchangeCode(callbackUrl, {
      state: login.state,
      nonce: login.nonce,
      codeVerifier: login.verifier,
      redirectUri: redirectUri(core, c, callbackName),
    });
    const { refreshToken, idToken, sid } = result;
    // One form of an email everywhere (sessions, grants, tokens, revocations).
    const identity = { ...result.identity, email: canonicalEmail(result.identity.email) };
    if (login.headless) {
      // The token goes to the tool; this browser (maybe not the person's own) stays as it was.
      return await finishHeadless(core, c, pairings, login.headless, identity, {
        refreshToken,
        checkedUntil: result.expiresAt,
      });
    }
    // The provider's tokens stay on the server, in a grant: the cookie stays small.
    const hint = core.options.providerLogout ? idToken : undefined;
    // The session this login replaces (kept when another site started the login) lets go of its grant.
    await leaveSession(core, c);
    const gid = refreshToken || hint
      ? await core.grants!.create(
        identity,
        { rt: refreshToken, idt: hint },
        {
          sessionUntil: core.clock() + SESSION_TTL * 1000,
          tokens: [],
          checkedUntil: result.expiresAt,
          // Login states made before the flag: /token's callback always asked offline.
          offline: login.offline ?? callbackName === "token",
          sid,
        },
        // Minted tokens extend it; a login nobody took a token from ends with its session.
        SESSION_TTL,
      )
      : undefined;
    const started = await core.sessions.write(c, {
      email: identity.email,
      sub: identity.sub,
      iss: identity.iss,
      ...(identity.name ? { name: identity.name } : {}),
      ...(gid ? { gid } : {}),
      ...(sid ? { sid } : {}),
    });
    if (!started) {
      core.log(`the identity of ${identity.email} is too large for a session cookie`);
      return errorResponse(502, "login_failed", "The identity provider's answer is too large.");
    }
    if (core.audit.logins) {
      const self = { user: { email: identity.email, kind: "user" }, via: "cookie" };
      await core.audit.record(c, self, { kind: "login", account: identity.email, via: "login" });
    }
    if (callbackName === "auth") return c.redirect(login.next, 307);
    const minted = refreshToken && gid && await mintToken(core, identity, gid, c);
    // A login made only for a token it cannot have (the account is at its
    // bound) keeps no record behind: the session goes on without a grant.
    if (minted instanceof Response && minted.status === 429) {
      await core.grants!.release(gid!, { session: true });
    }
    if (minted instanceof Response) return minted;
    if (minted) {
      await handOver(core, c, { token: minted, email: identity.email });
      // A browser goes on from a page of this origin: a redirect would keep the
      // provider in the navigation's chain, and a reload of /token would then
      // count as sent by another site.
      if (wantsHtml(c)) return await throughContext(c, continuePage(core.path("/token")));
      return c.redirect(core.path("/token"), 307);
    }
    core.log("the identity provider issued no refresh token to an offline login; answered 502");
    return errorResponse(
      502,
      "login_failed",
      "The identity provider did not issue a refresh token.",
    );
  } catch (error) {
    if (error instanceof LoginError) {
      if (login.headless) pairings.fail(login.headless, error.code, error.message);
      return errorResponse(400, error.code, error.message);
    }
    if (error instanceof OfflineNotAllowed) {
      core.log("the identity provider does not allow offline access to this login; answered 403");
      if (login.headless) pairings.fail(login.headless, "offline_not_allowed", error.message);
      return errorResponse(403, "offline_not_allowed", error.message);
    }
    const failure = core.providerFailure(error, 502);
    if (failure) return failure;
    throw error;
  }
}

async function token(core: Core, c: Context, pairings: HeadlessLogins): Promise<Response> {
  if (
    c.req.query("state") !== undefined || c.req.query("code") !== undefined ||
    c.req.query("error") !== undefined
  ) {
    return await callback(core, c, "token", pairings);
  }
  // Minted by this browser's own callback a moment ago (the redirect from it
  // counts as cross-site: the provider is in its chain), so it goes first.
  const handover = await takeHandover(core, c);
  if (handover) return await tokenAnswer(core, c, handover.token, handover.email);
  const caller = await core.caller(c);
  if (caller instanceof Response) return caller;
  // A bearer token cannot be sent by another site; a cookie, or no credential
  // at all (then a login that mints at its callback), can.
  if (caller.via !== "bearer" && !isSameOriginRequest(c, core.trustedOrigins(c))) {
    return confirmationPage(core, c);
  }
  if (c.req.query("user") !== undefined) return await serviceToken(core, c);
  if (core.options.forceUser) return c.json({ refresh_token: FORCED_TOKEN }, 200, NO_STORE);
  const session = caller.via === "cookie" ? await core.sessions.read(c) : null;
  try {
    const gid = session && await usableGrant(core, session);
    const minted = gid && await mintToken(core, session, gid, c);
    if (minted instanceof Response) return minted;
    if (minted) return await tokenAnswer(core, c, minted, session.email);
  } catch (error) {
    const failure = core.providerFailure(error, 503);
    if (failure) return failure;
    throw error;
  }
  const next = new URLSearchParams({ offline_token: "true", redirect: "token" });
  const hint = c.req.query("login_hint");
  if (hint) next.set("login_hint", hint);
  const login = `${core.path("/login")}?${next}`;
  // A person who logged in already is told why the provider asks again; a guest
  // (whose first login this is) and a script follow the redirect.
  if (session && wantsHtml(c)) return await throughContext(c, offlineLoginPage(login));
  return c.redirect(login, 307);
}

/** A user token: a page for a browser, `{"refresh_token"}` for a script. */
async function tokenAnswer(core: Core, c: Context, token: string, email: string) {
  if (!wantsHtml(c)) return c.json({ refresh_token: token }, 200, NO_STORE);
  const expiresAt = core.clock() + USER_TOKEN_TTL * 1000;
  const checkUrl = new URL(
    core.options.tokenCheckUrl ?? core.path("/token/whoami"),
    core.origin(c),
  );
  return await throughContext(c, tokenPage({ token, email, expiresAt, checkUrl: checkUrl.href }));
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x20 || text.charCodeAt(i) === 0x7f) return true;
  }
  return false;
}
