// The state and request-time logic shared by OAuthManager and its routes.
import type { Context } from "hono";
import type { CapabilitySet } from "./capabilities/capabilities.ts";
import type { OAuthUser, TokenParent } from "./env.ts";
import { errorResponse, unauthorized } from "./http/http.ts";
import { timingSafeEqual } from "./crypto/compare.ts";
import {
  OidcClient,
  ProviderMisconfigured,
  ProviderUnavailable,
  TokenRefused,
} from "./oidc/client.ts";
import { GrantEnded, Grants } from "./grants/grants.ts";
import { Revocations } from "./credentials/revocations.ts";
import { Sealer } from "./crypto/seal.ts";
import { SessionCookies, type SessionData } from "./credentials/session.ts";
import { BearerTokens, InvalidToken } from "./credentials/tokens.ts";
import type { ValidatedOptions } from "./_manager_options.ts";
import { failureResponse, isStoreFailure } from "./_failures.ts";

/** The value of `forceUser`'s token, as in the Python package. */
export const FORCED_TOKEN = "XXX";

/** Who is calling, and how they proved it. */
export interface Caller {
  user: OAuthUser | null;
  /** "cookie" callers are subject to cross-site checks on state-changing routes. */
  via: "bearer" | "cookie" | "forced" | "none";
}

/** The caller a service or API token stands for: its account and its capability snapshot. */
function scoped(
  claims: Record<string, unknown>,
  kind: "service" | "api",
): { user: OAuthUser; until: number } {
  const { email, caps, jti, by, up } = claims;
  if (typeof email !== "string" || !Array.isArray(caps) || typeof jti !== "string") {
    throw new InvalidToken();
  }
  const user: OAuthUser = {
    email,
    kind,
    tokenId: jti,
    capabilities: new Set(caps.map(String)),
    ...lineageOf(by, up),
  };
  return { user, until: Infinity };
}

/** The lineage claims of a service or API token: who made it (`by`), which tokens (`up`). */
function lineageOf(by: unknown, up: unknown): Pick<OAuthUser, "createdBy" | "parents"> {
  const accounts = Array.isArray(by) && by.every((a) => typeof a === "string");
  const parents = Array.isArray(up) &&
    up.every((p: Partial<TokenParent>) =>
      typeof p === "object" && p !== null && typeof p.email === "string" &&
      typeof p.tokenId === "string" && (p.issuedAt === undefined || typeof p.issuedAt === "number")
    );
  if ((by !== undefined && !accounts) || (up !== undefined && !parents)) throw new InvalidToken();
  return {
    ...(accounts ? { createdBy: by as string[] } : {}),
    ...(parents ? { parents: up as TokenParent[] } : {}),
  };
}

type Memo = Record<symbol, Caller | Response | undefined>;

const BEARER = /^bearer +([\x21-\x7e]+) *$/i;

/** Everything a manager holds, built once from validated options. */
export class Core {
  readonly options: ValidatedOptions;
  readonly caps: CapabilitySet;
  readonly clock: () => number;
  readonly sealer: Sealer;
  readonly sessions: SessionCookies;
  readonly revocations: Revocations;
  readonly tokens: BearerTokens;
  readonly oidc: OidcClient | undefined;
  readonly grants: Grants | undefined;
  // The caller of each request, under a symbol of this manager's own on the
  // Request: a WeakMap does the same but its entries for short-lived keys cost
  // the garbage collector about as much as the rest of the fast path.
  readonly #memo = Symbol("easy-oauth caller");
  // For the odd frozen Request.
  readonly #frozen = new WeakMap<Request, Caller | Response>();
  readonly #sessionUsers = new WeakMap<SessionData, OAuthUser>();
  /** The 503s answered because the revocation list cannot be read. */
  readonly #storeDown = new WeakSet<Response>();
  /** Every request's caller in `forceUser` mode. */
  readonly #forced: Caller | undefined;

  constructor(options: ValidatedOptions) {
    this.options = options;
    this.caps = options.capabilities;
    this.clock = options.clock;
    this.sealer = new Sealer(options.secretKey, options.clock);
    this.sessions = new SessionCookies(
      this.sealer,
      this.clock,
      (c) => this.#secure(c),
    );
    this.#forced = options.forceUser && { user: options.forceUser, via: "forced" };
    this.revocations = new Revocations(options.tokenStore, this.clock, (error) =>
      this.log(
        `the token store changed but cannot be read; the last good copy stays in use: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ));
    this.tokens = new BearerTokens(this.sealer, this.clock, this.revocations);
    this.tokens.register("service_token", (claims) => Promise.resolve(scoped(claims, "service")));
    this.tokens.register("api_token", (claims) => Promise.resolve(scoped(claims, "api")));
    if (options.forceUser === undefined) {
      this.oidc = new OidcClient({
        serverMetadataUrl: options.serverMetadataUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        tokenEndpointAuthMethod: options.tokenEndpointAuthMethod,
        fetch: options.fetch,
        clock: this.clock,
        clockTolerance: options.clockTolerance,
      });
      this.grants = new Grants(options.tokenStore, this.sealer, this.clock, this.oidc);
      this.tokens.registerUserTokens(this.grants);
    }
  }

  /** The app's public origin: `baseUrl`, else the request's own. */
  origin(c: Context): string {
    return this.options.baseUrl ?? new URL(c.req.url).origin;
  }

  /** Whether the app's origin is https (asked for each cookie, so without parsing a URL when it can). */
  #secure(c: Context): boolean {
    const url = this.options.baseUrl ?? c.req.url;
    if (url.startsWith("https:")) return true;
    return !url.startsWith("http:") && this.origin(c).startsWith("https:");
  }

  /** The origins whose cookie-authenticated POSTs are accepted. */
  trustedOrigins(c: Context): ReadonlySet<string> {
    return new Set([this.origin(c), ...this.options.trustedOrigins]);
  }

  /**
   * Who is calling (memoized per request), or a 401/503 response for a bad
   * bearer token. A credential seen before resolves without awaiting anything:
   * that is every request but a credential's first, so it must cost little.
   */
  caller(c: Context): Promise<Caller | Response> {
    try {
      const caller = this.callerNow(c);
      return caller === undefined ? this.#load(c, c.req.raw) : Promise.resolve(caller);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The caller when it is known without waiting (memoized, or a cached token
   * or session), exposed on `c`; `undefined` when `caller()` must be awaited.
   */
  callerNow(c: Context): Caller | Response | undefined {
    const raw = c.req.raw;
    let caller = this.#recall(raw);
    if (caller === undefined) {
      if (!this.revocations.loaded) return undefined;
      // Not memoized: finding it again is as cheap as remembering it.
      caller = this.#known(c);
      if (caller === undefined) return undefined;
    }
    return this.#expose(c, caller);
  }

  async #load(c: Context, raw: Request): Promise<Caller | Response> {
    const loading = this.revocations.ready();
    let caller: Caller | Response;
    try {
      if (loading) await loading;
      caller = await this.#resolve(c);
    } catch (error) {
      caller = this.#withoutStore(c, error);
    }
    this.#remember(raw, caller);
    return this.#expose(c, caller);
  }

  /**
   * The caller when the revocation list cannot be read: a request without a
   * credential needs none and is a guest; any credential cannot be trusted
   * now, a 503 (which `storeDown` recognizes).
   */
  #withoutStore(c: Context, error: unknown): Caller | Response {
    const header = c.req.header("authorization");
    if (this.#forced && header === undefined) return this.#forced;
    if (!isStoreFailure(error)) throw error;
    if (header === undefined && this.sessions.peek(c) === null) return { user: null, via: "none" };
    const response = failureResponse(this.options.log, error);
    this.#storeDown.add(response);
    return response;
  }

  /** Whether `response` is a 503 for a store that cannot be read (public pages then go on as a guest). */
  storeDown(response: Response): boolean {
    return this.#storeDown.has(response);
  }

  /** A logged JSON response for an unexpected error (503 for a store, 500 otherwise). */
  failure(error: unknown): Response {
    return failureResponse(this.options.log, error);
  }

  #recall(raw: Request): Caller | Response | undefined {
    return (raw as unknown as Memo)[this.#memo] ?? this.#frozen.get(raw);
  }

  #remember(raw: Request, caller: Caller | Response): void {
    if (Object.isExtensible(raw)) (raw as unknown as Memo)[this.#memo] = caller;
    else this.#frozen.set(raw, caller);
  }

  #expose(c: Context, caller: Caller | Response): Caller | Response {
    if (!(caller instanceof Response)) {
      c.set("user", caller.user);
      c.set("email", caller.user?.email ?? null);
    }
    return caller;
  }

  /** The caller from what is already known (cached tokens and sessions), or `undefined`. */
  #known(c: Context): Caller | Response | undefined {
    const header = c.req.header("authorization");
    const forced = this.#forced;
    if (header !== undefined) {
      // "Bearer <a token seen before>" needs no pattern: a cached token matched it when first seen.
      const seen = !forced && header.startsWith("Bearer ") && this.tokens.peek(header.slice(7));
      if (seen) return { user: seen, via: "bearer" };
      const said = this.#authorization(header);
      if (typeof said !== "string") return said;
      const user = this.tokens.peek(said);
      return user && { user, via: "bearer" };
    }
    if (forced) return forced;
    const session = this.sessions.peek(c);
    return session === undefined ? undefined : this.#sessionCaller(session);
  }

  async #resolve(c: Context): Promise<Caller | Response> {
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const said = this.#authorization(header);
      return typeof said === "string" ? await this.#bearer(said) : said;
    }
    if (this.#forced) return this.#forced;
    return this.#sessionCaller(await this.sessions.read(c));
  }

  /** The bearer token of an `Authorization` header to resolve, or already the answer. */
  #authorization(header: string): string | Caller | Response {
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) return unauthorized("Use the Bearer authorization scheme.", true);
    if (!this.#forced) return token;
    return timingSafeEqual(token, FORCED_TOKEN)
      ? this.#forced
      : unauthorized("The token is invalid, expired or revoked.", true);
  }

  #sessionCaller(session: SessionData | null): Caller {
    if (!session) return { user: null, via: "none" };
    // One user object per opened session, as the token cache keeps one per token.
    let user = this.#sessionUsers.get(session);
    if (user === undefined) {
      user = {
        email: session.email,
        kind: "user",
        sub: session.sub,
        iss: session.iss,
        ...(session.name ? { name: session.name } : {}),
        tokenId: session.jti,
        issuedAt: session.iat,
      };
      this.#sessionUsers.set(session, user);
    }
    if (this.revocations.isRevoked(user)) return { user: null, via: "none" };
    return { user, via: "cookie" };
  }

  async #bearer(token: string): Promise<Caller | Response> {
    try {
      return { user: await this.tokens.resolve(token), via: "bearer" };
    } catch (error) {
      if (
        error instanceof InvalidToken || error instanceof TokenRefused ||
        error instanceof GrantEnded
      ) {
        return unauthorized(error.message, true);
      }
      const failure = this.providerFailure(error, 503);
      if (failure) return failure;
      throw error;
    }
  }

  /**
   * The answer to a provider that failed (502/503 `provider_unavailable`) or
   * refused this app's configuration (502 `provider_misconfigured`), logged
   * with its cause; `undefined` for any other error. Messages of these errors
   * name endpoints and statuses, never a token or a secret.
   */
  providerFailure(error: unknown, status: 502 | 503): Response | undefined {
    if (error instanceof ProviderMisconfigured) {
      this.log(`the identity provider refuses this app's configuration: ${error.message}`);
      return errorResponse(
        502,
        "provider_misconfigured",
        "The identity provider refuses this app's configuration; the administrator must fix it.",
      );
    }
    if (error instanceof ProviderUnavailable) {
      const cause = error.cause instanceof Error ? ` (${oneLine(error.cause.message)})` : "";
      this.log(`the identity provider failed: ${error.message}${cause}; answered ${status}`);
      return errorResponse(
        status,
        "provider_unavailable",
        "The identity provider cannot be reached or failed; try again later.",
      );
    }
    return undefined;
  }

  /**
   * Whether `user` may use `capability`. Service and API tokens are limited to
   * the capabilities they were made with; a service account must also hold the
   * capability in the store now.
   */
  allowed(user: OAuthUser | null, capability: string): Promise<boolean> {
    const now = this.allowedNow(user, capability);
    return now === undefined ? this.#allowedLater(user!, capability) : Promise.resolve(now);
  }

  /** `allowed` without a promise when the answer is known now, else `undefined`. */
  allowedNow(user: OAuthUser | null, capability: string): boolean | undefined {
    if (user?.capabilities && !user.capabilities.has(capability)) return false;
    let known: boolean | undefined = true;
    for (const account of user?.createdBy ?? []) {
      const answer = this.caps.checkNow(account, capability);
      if (answer === false) return false;
      if (answer === undefined) known = undefined;
    }
    if (user?.kind === "api") return known;
    const own = this.caps.checkNow(user?.email ?? null, capability);
    return own === false ? false : own && known;
  }

  async #allowedLater(user: OAuthUser, capability: string): Promise<boolean> {
    for (const account of user.createdBy ?? []) {
      if (!(await this.caps.check(account, capability))) return false;
    }
    return user.kind === "api" || await this.caps.check(user.email, capability);
  }

  /**
   * What `user` holds, closures applied: a service token is limited to its
   * snapshot and to the account's capabilities now, an API token to its own;
   * both to what the accounts that made them hold now.
   */
  async held(user: OAuthUser): Promise<ReadonlySet<string>> {
    const bounds = [...(user.createdBy ?? []), ...(user.kind === "api" ? [] : [user.email])];
    let held: ReadonlySet<string> | undefined = user.capabilities;
    for (const account of bounds) {
      const effective = await this.caps.effective(account);
      held = held ? new Set([...held].filter((name) => effective.has(name))) : effective;
    }
    return held ?? new Set();
  }

  /** Logs a refusal or an event (never a token or a secret). */
  log(message: string): void {
    this.options.log(`easy-oauth: ${message}`);
  }

  /** The path of a route of this manager (`/login` → `/api/v1/login`). */
  path(route: string): string {
    return this.options.prefix + route;
  }
}

/** A log-safe rendering of a library's message: one line, bounded. */
function oneLine(text: string): string {
  let line = "";
  for (const char of text.slice(0, 200)) line += char < " " || char === "\x7f" ? " " : char;
  return line;
}
