/**
 * A mock OpenID Connect provider for development and tests: a real,
 * spec-conformant provider (discovery, authorization code flow with PKCE,
 * RS256 ID tokens, refresh tokens, userinfo, revocation) that logs the user in
 * without asking anything, or with `loginPage: true` after a login page. Who
 * logs in is set with `setEmail()`, with `POST /set_email`, or per login with
 * the `login_hint` parameter. Tests can make it misbehave: failing endpoints
 * (`fail()`), an outage (`down()`), key rotation, refresh-token rotation, the
 * email only in userinfo, per-user claims. Serve it with any server that takes
 * a fetch handler, or run `deno run -A mock/server.ts`.
 *
 * @example
 * ```ts
 * import { createMockProvider } from "@easy-oauth/hono/mock";
 *
 * const provider = createMockProvider({ email: "ada@example.com" });
 * const response = await provider.fetch(
 *   new Request("http://localhost:29313/.well-known/openid-configuration"),
 * );
 * const metadata = await response.json();
 * metadata.authorization_endpoint; // "http://localhost:29313/oauth2/auth"
 * ```
 *
 * @module
 */
import { createApp } from "./_app.ts";
import { clientCheck, type MockClient } from "./_clients.ts";
import {
  MockControls,
  type MockEndpoint,
  type MockFault,
  type MockQuirks,
  type MockUser,
} from "./_controls.ts";
import { isValidEmail } from "./_email.ts";
import { GrantStore } from "./_grants.ts";
import { createSigner } from "./_keys.ts";
import { resolveOptions } from "./_options.ts";
import { LoginSessions } from "./_sessions.ts";

export type { MockClient };

export type { MockEndpoint, MockFault, MockQuirks, MockUser };

/**
 * Options of {@link createMockProvider}.
 *
 * @example
 * ```ts
 * import type { MockProviderOptions } from "@easy-oauth/hono/mock";
 * let now = Date.parse("2030-01-01T00:00:00Z");
 * const options: MockProviderOptions = { email: "ada@example.com", clock: () => now };
 * ```
 */
export interface MockProviderOptions {
  /**
   * Who logs in, until `setEmail()` or `POST /set_email` says otherwise.
   * @default {"test@example.com"}
   */
  email?: string | undefined;
  /**
   * The time in epoch milliseconds. It drives every `iat`/`exp` and every expiry
   * (codes after 60 s, access tokens after `accessTokenTtl`): move it to test expiry.
   * @default {Date.now}
   */
  clock?: () => number;
  /**
   * The issuer identifier, which is also the base URL of every endpoint. Set it
   * when the provider is mounted under a path (`app.mount("/idp", provider.fetch)`
   * with `issuer: "http://localhost:3000/idp"`).
   * @default {the origin of each request}
   */
  issuer?: string | undefined;
  /**
   * The lifetime of access tokens, in seconds.
   * @default {3600}
   */
  accessTokenTtl?: number | undefined;
  /**
   * Registered clients. With them, the mock refuses what a real provider
   * refuses: an unknown client or a wrong secret at the token and revocation
   * endpoints (401 `invalid_client` with `WWW-Authenticate`), an unknown client
   * or an unregistered `redirect_uri` at the authorization endpoint (a 400 page,
   * never a redirect). Without them, any client id and secret are accepted,
   * and codes go only to loopback redirect URIs (`localhost`, `127.0.0.1`,
   * `[::1]`): anything else is a 400 that says so.
   * @default {undefined (any client)}
   */
  clients?: readonly MockClient[] | undefined;
  /**
   * Show a login page at the authorization endpoint (an email field with the
   * recent emails as buttons, an optional display name, "Log in" and "Deny",
   * which answers `access_denied`), for local development. Without it, the
   * mock logs the user in without asking, as tests want. `login_hint` and
   * `setEmail()` fill in the email field. Only the page's own form post
   * counts: the same fields in a link's query, or posted by another site,
   * show the page again.
   * @default {false}
   */
  loginPage?: boolean | undefined;
}

/**
 * A mock OpenID provider, made by {@link createMockProvider}.
 *
 * @example
 * ```ts
 * import { createMockProvider, type MockProvider } from "@easy-oauth/hono/mock";
 * const provider: MockProvider = createMockProvider();
 * provider.setEmail("grace@example.com");
 * provider.email; // "grace@example.com"
 * ```
 */
export interface MockProvider {
  /**
   * Answers one HTTP request; a fetch handler for `Deno.serve`, `Bun.serve`
   * or Hono's `app.mount()`. It is bound: pass it around on its own.
   */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * Sets who later logins are (logins that carry a `login_hint` excepted).
   * Refresh tokens already issued keep their identity.
   *
   * @throws {TypeError} when `email` is not an email address.
   */
  setEmail(email: string): void;
  /** Who logs in now, when the authorization request has no `login_hint`. */
  readonly email: string;
  /**
   * Makes `endpoint` misbehave for the next request (or `fault.times` requests,
   * `Infinity` until {@link MockProvider.heal}): an error status, an OAuth
   * error, a delay, a garbage body. See {@link MockFault}.
   *
   * @throws {TypeError} naming a bad endpoint or fault field.
   */
  fail(endpoint: MockEndpoint, fault?: MockFault): void;
  /** Ends the faults of `endpoint`, or of every endpoint. */
  heal(endpoint?: MockEndpoint): void;
  /**
   * Takes the whole provider down: every request answers 503
   * `temporarily_unavailable` until {@link MockProvider.up}. (`OAuthMock.down()`
   * stops listening instead, so that connections are refused.)
   */
  down(): void;
  /** Brings the provider back after {@link MockProvider.down}. */
  up(): void;
  /**
   * Signs with a new key from now on. With `keepOld` the old key stays in the
   * JWKS (a graceful rotation); without it, tokens signed before no longer verify.
   */
  rotateKeys(options?: { keepOld?: boolean }): Promise<void>;
  /** Turns provider quirks on or off (those not named keep their value). See {@link MockQuirks}. */
  setQuirks(quirks: MockQuirks): void;
  /** Sets one user's `name`, `email_verified` and extra claims, for tokens issued from now on. */
  setUser(email: string, user: MockUser): void;
}

/**
 * Creates a mock OpenID Connect provider. Unless `clients` are registered, it
 * accepts any `client_id` and `client_secret`; either way it binds codes and
 * tokens to the client they were issued to. Its RS256 signing key is made on first need, so creating
 * a provider is cheap.
 *
 * Endpoints: `GET /` (a description), `GET /.well-known/openid-configuration`, `GET|POST /oauth2/auth`,
 * `POST /oauth2/token`, `GET|POST /oauth2/userinfo`, `GET /oauth2/certs`,
 * `POST /oauth2/revoke`, `POST /set_email` (JSON `{"email": ...}` or form
 * `email=...`; refused with a 403 when another site sent it), `GET /health`. A refresh token is issued only when the scope has
 * `offline_access` or the request has `access_type=offline`, as with Google;
 * refreshing does not rotate it (unless the `rotateRefreshTokens` quirk is on). ID tokens carry `auth_time`: the mock keeps
 * one sign-on session per user, renewed when `max_age` is exceeded or
 * `prompt=login` is sent. `response_mode=form_post` is answered with a form
 * that posts itself; `request` and `request_uri` are refused.
 *
 * @param options Who logs in, the clock, the issuer, the access token lifetime,
 *   registered clients, the login page.
 * @returns The provider, whose `fetch` answers HTTP requests.
 * @throws {TypeError} when an option is invalid; the message names it.
 *
 * @example
 * ```ts
 * import { createMockProvider } from "@easy-oauth/hono/mock";
 * import { Hono } from "hono";
 *
 * const provider = createMockProvider();
 * const app = new Hono();
 * app.mount("/idp", provider.fetch);
 * // Logs in as bob for this one login, whoever the provider's email is.
 * const login = await provider.fetch(
 *   new Request(
 *     "http://localhost/oauth2/auth?response_type=code&client_id=app&scope=openid%20email" +
 *       "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fauth&state=xyz&login_hint=bob%40example.com",
 *   ),
 * );
 * login.status; // 302, to http://localhost:3000/auth?code=…&state=xyz&iss=…
 * ```
 */
export function createMockProvider(options?: MockProviderOptions): MockProvider {
  const resolved = resolveOptions(options);
  let email = resolved.email;
  const setEmail = (value: string): void => {
    if (!isValidEmail(value)) throw new TypeError('"email" must be an email address.');
    email = value;
  };
  const controls = new MockControls();
  controls.loginPage = resolved.loginPage;
  const signer = createSigner();
  const app = createApp({
    clock: resolved.clock,
    issuer: resolved.issuer,
    accessTokenTtl: resolved.accessTokenTtl,
    grants: new GrantStore(resolved.clock),
    signer,
    controls,
    clients: clientCheck(resolved.clients),
    sessions: new LoginSessions(resolved.clock),
    currentEmail: () => email,
  }, setEmail);
  return {
    fetch: async (request: Request) => await app.fetch(request),
    setEmail,
    get email() {
      return email;
    },
    fail: (endpoint, fault) => controls.fail(endpoint, fault),
    heal: (endpoint) => controls.heal(endpoint),
    down: () => void (controls.down = true),
    up: () => void (controls.down = false),
    rotateKeys: (options = {}) => signer.rotate({ keepOld: options.keepOld === true }),
    setQuirks: (quirks) => {
      for (const [key, value] of Object.entries(quirks)) {
        if (!(key in controls.quirks)) throw new TypeError(`Unknown quirk "${key}".`);
        if (typeof value !== "boolean") throw new TypeError(`"${key}" must be true or false.`);
        (controls.quirks as Record<string, boolean>)[key] = value;
      }
    },
    setUser: (address, user) => {
      if (!isValidEmail(address)) throw new TypeError('"email" must be an email address.');
      controls.setUser(address, user);
    },
  };
}
