// Who is calling: a request's session cookie or bearer token resolved to its
// caller, memoized per request, and answered when the credential cannot be.
import type { Context } from "hono";
import type { OAuthUser } from "./env.ts";
import { unauthorized } from "./http/http.ts";
import { timingSafeEqual } from "./crypto/compare.ts";
import { TokenRefused } from "./oidc/client.ts";
import { providerFailure } from "./oidc/provider_failure.ts";
import { GrantEnded, type Grants } from "./grants/grants.ts";
import { ExpiringCache } from "./_cache.ts";
import { canonicalEmail } from "./_email.ts";
import type { Revocations } from "./credentials/revocations.ts";
import type { SessionCookies, SessionData } from "./credentials/session.ts";
import { type BearerTokens, InvalidToken } from "./credentials/tokens.ts";
import { failureResponse, isStoreFailure } from "./_failures.ts";

/** The value of `forceUser`'s token, as in the Python package. */
export const FORCED_TOKEN = "XXX";

/** Who is calling, and how they proved it. */
export interface Caller {
  user: OAuthUser | null;
  /** "cookie" callers are subject to cross-site checks on state-changing routes. */
  via: "bearer" | "cookie" | "forced" | "none";
}

/** What resolving callers needs from the manager that holds it. */
export interface CallerSources {
  forceUser: OAuthUser | undefined;
  sessions: SessionCookies;
  revocations: Revocations;
  tokens: BearerTokens;
  /** The grants behind sessions, checked as user tokens check theirs (none in `forceUser` mode). */
  grants: Grants | undefined;
  clock: () => number;
  /** The app's own logger, for store failures (their messages carry their own prefix). */
  appLog: (message: string) => void;
  /** The manager's logger, for provider failures. */
  log: (message: string) => void;
}

type Memo = Record<symbol, Caller | Response | undefined>;

const BEARER = /^bearer +([\x21-\x7e]+) *$/i;

/** Resolves and memoizes the caller of each request. */
export class Callers {
  readonly #sessions: SessionCookies;
  readonly #revocations: Revocations;
  readonly #tokens: BearerTokens;
  readonly #appLog: (message: string) => void;
  readonly #log: (message: string) => void;
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
  readonly #grants: Grants | undefined;
  /** Per grant id: `true` while its last check holds, `false` once the provider ended it. */
  readonly #sessionGrants: ExpiringCache<boolean>;

  constructor(sources: CallerSources) {
    this.#sessions = sources.sessions;
    this.#revocations = sources.revocations;
    this.#tokens = sources.tokens;
    this.#appLog = sources.appLog;
    this.#log = sources.log;
    this.#forced = sources.forceUser && { user: sources.forceUser, via: "forced" };
    this.#grants = sources.grants;
    this.#sessionGrants = new ExpiringCache(10_000, sources.clock);
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
      if (!this.#revocations.loaded) return undefined;
      // Not memoized: finding it again is as cheap as remembering it.
      caller = this.#known(c);
      if (caller === undefined) return undefined;
    }
    return this.#expose(c, caller);
  }

  async #load(c: Context, raw: Request): Promise<Caller | Response> {
    const loading = this.#revocations.ready();
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
    if (header === undefined && this.#sessions.peek(c) === null) return { user: null, via: "none" };
    const response = failureResponse(this.#appLog, error);
    this.#storeDown.add(response);
    return response;
  }

  /** Whether `response` is a 503 for a store that cannot be read (public pages then go on as a guest). */
  storeDown(response: Response): boolean {
    return this.#storeDown.has(response);
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
      const seen = !forced && header.startsWith("Bearer ") && this.#tokens.peek(header.slice(7));
      if (seen) return { user: seen, via: "bearer" };
      const said = this.#authorization(header);
      if (typeof said !== "string") return said;
      const user = this.#tokens.peek(said);
      return user && { user, via: "bearer" };
    }
    if (forced) return forced;
    const session = this.#sessions.peek(c);
    if (session === undefined) return undefined;
    if (session?.gid && this.#grants) {
      // Known only while the grant's last check holds; else `#resolve` asks again.
      const alive = this.#sessionGrants.get(session.gid);
      if (alive === undefined) return undefined;
      if (!alive) return { user: null, via: "none" };
    }
    return this.#sessionCaller(session);
  }

  async #resolve(c: Context): Promise<Caller | Response> {
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const said = this.#authorization(header);
      return typeof said === "string" ? await this.#bearer(said) : said;
    }
    if (this.#forced) return this.#forced;
    const session = await this.#sessions.read(c);
    if (session?.gid && this.#grants) {
      const alive = await this.#sessionGrant(session, session.gid);
      if (alive instanceof Response) return alive;
      // The provider ended the login: the browser is a guest (sent to log in where needed).
      if (!alive) return { user: null, via: "none" };
    }
    return this.#sessionCaller(session);
  }

  /**
   * Whether the grant behind a session holds, checked as a user token's is
   * (same cadence, same outage rules: a provider that cannot be asked is a 503).
   */
  async #sessionGrant(session: SessionData, gid: string): Promise<boolean | Response> {
    const known = this.#sessionGrants.get(gid);
    if (known !== undefined) return known;
    let answer;
    try {
      answer = await this.#grants!.check(gid);
    } catch (error) {
      const failure = providerFailure(this.#log, error, 503);
      if (failure) return failure;
      throw error;
    }
    const alive = answer !== "ended";
    const until = typeof answer === "object" ? answer.until : session.exp * 1000;
    this.#sessionGrants.set(gid, alive, alive ? until : session.exp * 1000);
    return alive;
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
        email: canonicalEmail(session.email),
        kind: "user",
        sub: session.sub,
        iss: session.iss,
        ...(session.name ? { name: session.name } : {}),
        tokenId: session.jti,
        issuedAt: session.iat,
      };
      this.#sessionUsers.set(session, user);
    }
    if (this.#revocations.isRevoked(user)) return { user: null, via: "none" };
    return { user, via: "cookie" };
  }

  async #bearer(token: string): Promise<Caller | Response> {
    try {
      return { user: await this.#tokens.resolve(token), via: "bearer" };
    } catch (error) {
      if (
        error instanceof InvalidToken || error instanceof TokenRefused ||
        error instanceof GrantEnded
      ) {
        return unauthorized(error.message, true);
      }
      const failure = providerFailure(this.#log, error, 503);
      if (failure) return failure;
      throw error;
    }
  }
}
