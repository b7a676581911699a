// The state and request-time logic shared by OAuthManager and its routes.
import type { Context } from "hono";
import type { CapabilitySet } from "./capabilities/capabilities.ts";
import type { OAuthUser } from "./env.ts";
import { OidcClient } from "./oidc/client.ts";
import { providerFailure } from "./oidc/provider_failure.ts";
import { GrantEnded, Grants } from "./grants/grants.ts";
import { loggedOut, logoutProbes } from "./grants/provider_logout.ts";
import { Revocations } from "./credentials/revocations.ts";
import { Sealer } from "./crypto/seal.ts";
import { SessionCookies } from "./credentials/session.ts";
import { BearerTokens } from "./credentials/tokens.ts";
import { scoped } from "./credentials/scoped_tokens.ts";
import type { ValidatedOptions } from "./_manager_options.ts";
import { failureResponse } from "./_failures.ts";
import { unauthorized } from "./http/http.ts";
import { type Caller, Callers } from "./_callers.ts";
import { Recorder } from "./audit/recorder.ts";

export { type Caller, FORCED_TOKEN } from "./_callers.ts";

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
  /** The audit trail's recorder. */
  readonly audit: Recorder;
  readonly #callers: Callers;

  constructor(options: ValidatedOptions) {
    this.options = options;
    this.caps = options.capabilities;
    this.clock = options.clock;
    this.sealer = new Sealer(options.secretKey, options.clock);
    this.sessions = new SessionCookies(
      this.sealer,
      this.clock,
      (c) => this.#secure(c),
      options.tokenStore,
    );
    this.revocations = new Revocations(options.tokenStore, this.clock, (error) =>
      this.log(
        `the token store changed but cannot be read; the last good copy stays in use: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ));
    this.tokens = new BearerTokens(this.sealer, this.clock, this.revocations);
    this.tokens.register("service_token", (claims) => this.#scopedAlive(claims, "service"));
    this.tokens.register("api_token", (claims) => this.#scopedAlive(claims, "api"));
    if (options.forceUser === undefined) {
      this.oidc = new OidcClient({
        serverMetadataUrl: options.serverMetadataUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        tokenEndpointAuthMethod: options.tokenEndpointAuthMethod,
        fetch: options.fetch,
        clock: this.clock,
        clockTolerance: options.clockTolerance,
        policy: options.policy,
        log: (message) => this.log(message),
      }, {
        wanted: options.providerLogout,
        url: options.providerLogoutUrl,
        log: (message) => this.log(message),
      });
      this.grants = new Grants(
        options.tokenStore,
        this.sealer,
        this.clock,
        this.oidc,
        (login) => loggedOut(this.revocations, logoutProbes(login)),
      );
      this.tokens.registerUserTokens(this.grants);
    }
    this.audit = new Recorder({
      ...options.audit,
      clock: this.clock,
      report: (message) => this.log(message),
    });
    this.audit.watch(this.caps.store);
    this.#callers = new Callers({
      forceUser: options.forceUser,
      sessions: this.sessions,
      revocations: this.revocations,
      tokens: this.tokens,
      grants: this.grants,
      clock: this.clock,
      appLog: options.log,
      log: (message) => this.log(message),
    });
  }

  /**
   * A service or API token's caller, while the logins it was made under hold:
   * a token made by a token (or a session) never outlives a grant the
   * provider ended, checked as user tokens check theirs.
   * @throws {GrantEnded} When the provider ended one of them.
   */
  async #scopedAlive(
    claims: Record<string, unknown>,
    kind: "service" | "api",
  ): Promise<{ user: OAuthUser; until: number }> {
    const { user } = scoped(claims, kind);
    let until = Infinity;
    for (const gid of grantIds(claims.gr)) {
      const answer = this.grants ? await this.grants.check(gid) : "unchecked";
      if (answer === "ended") {
        throw new GrantEnded("The login behind the token that made this one has ended.");
      }
      if (answer !== "unchecked") until = Math.min(until, answer.until);
    }
    return { user, until };
  }

  /**
   * The grants behind a caller, for the tokens it makes (claim `gr`): its
   * session's or user token's, or those its own token was made under. A user
   * token that makes a token is noted on its grant as a maker (its revocation
   * is then kept as long as it would have lived); a 401 when its grant no
   * longer lists it (revoked meanwhile).
   */
  async grantsBehind(c: Context, caller: Caller): Promise<string[] | Response> {
    if (caller.via === "cookie") {
      const gid = (await this.sessions.read(c))?.gid;
      return gid ? [gid] : [];
    }
    if (caller.via !== "bearer") return [];
    const token = /^bearer +(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1];
    const purpose = token ? Sealer.purposeOf(token) : undefined;
    const claims = purpose ? await this.sealer.open(purpose, token!) : null;
    if (!claims) return [];
    if (typeof claims.gid !== "string") return grantIds(claims.gr);
    if (purpose === "user_token" && !(await this.grants?.markMaker(claims.gid, claims.jti))) {
      return unauthorized("The token is invalid, expired or revoked.", true);
    }
    return [claims.gid];
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
    return this.#callers.caller(c);
  }

  /**
   * The caller when it is known without waiting (memoized, or a cached token
   * or session), exposed on `c`; `undefined` when `caller()` must be awaited.
   */
  callerNow(c: Context): Caller | Response | undefined {
    return this.#callers.callerNow(c);
  }

  /** Whether `response` is a 503 for a store that cannot be read (public pages then go on as a guest). */
  storeDown(response: Response): boolean {
    return this.#callers.storeDown(response);
  }

  /** A logged JSON response for an unexpected error (503 for a store, 500 otherwise). */
  failure(error: unknown): Response {
    return failureResponse(this.options.log, error);
  }

  /**
   * The answer to a provider that failed (502/503 `provider_unavailable`) or
   * refused this app's configuration (502 `provider_misconfigured`), logged
   * with its cause; `undefined` for any other error.
   */
  providerFailure(error: unknown, status: 502 | 503): Response | undefined {
    return providerFailure((message) => this.log(message), error, status);
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

/** The grant ids of a `gr` claim (at most 8, strings only). */
function grantIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === "string").slice(0, 8);
}
