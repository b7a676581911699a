// The state and request-time logic shared by OAuthManager and its routes.
import type { Context } from "hono";
import type { CapabilitySet } from "./capabilities.ts";
import type { OAuthUser } from "./env.ts";
import { errorResponse, unauthorized } from "./_http.ts";
import { timingSafeEqual } from "./_compare.ts";
import { OidcClient, ProviderUnavailable, TokenRefused } from "./oidc_client.ts";
import { Revocations } from "./revocations.ts";
import { Sealer } from "./seal.ts";
import { SessionCookies } from "./session.ts";
import { BearerTokens, InvalidToken } from "./tokens.ts";
import type { ValidatedOptions } from "./_manager_options.ts";

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
  const { email, caps, jti } = claims;
  if (typeof email !== "string" || !Array.isArray(caps) || typeof jti !== "string") {
    throw new InvalidToken();
  }
  const user: OAuthUser = { email, kind, tokenId: jti, capabilities: new Set(caps.map(String)) };
  return { user, until: Infinity };
}

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
  readonly #callers = new WeakMap<Request, Caller | Response>();

  constructor(options: ValidatedOptions) {
    this.options = options;
    this.caps = options.capabilities;
    this.clock = options.clock;
    this.sealer = new Sealer(options.secretKey, options.clock);
    this.sessions = new SessionCookies(
      this.sealer,
      this.clock,
      (c) => this.origin(c).startsWith("https:"),
    );
    this.revocations = new Revocations(options.tokenStore, this.clock);
    this.tokens = new BearerTokens(this.sealer, this.clock, this.revocations);
    this.tokens.register("service_token", (claims) => Promise.resolve(scoped(claims, "service")));
    this.tokens.register("api_token", (claims) => Promise.resolve(scoped(claims, "api")));
    if (options.forceUser === undefined) {
      this.oidc = new OidcClient({
        serverMetadataUrl: options.serverMetadataUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        fetch: options.fetch,
        clock: this.clock,
      });
      this.tokens.registerUserTokens(this.oidc);
    }
  }

  /** The app's public origin: `baseUrl`, else the request's own. */
  origin(c: Context): string {
    return this.options.baseUrl ?? new URL(c.req.url).origin;
  }

  /** The origins whose cookie-authenticated POSTs are accepted. */
  trustedOrigins(c: Context): ReadonlySet<string> {
    return new Set([this.origin(c), ...this.options.trustedOrigins]);
  }

  /** Who is calling (memoized per request), or a 401/503 response for a bad bearer token. */
  async caller(c: Context): Promise<Caller | Response> {
    let caller = this.#callers.get(c.req.raw);
    if (!caller) {
      const loading = this.revocations.ready();
      if (loading) await loading;
      caller = await this.#resolve(c);
      this.#callers.set(c.req.raw, caller);
    }
    if (!(caller instanceof Response)) {
      c.set("user", caller.user);
      c.set("email", caller.user?.email ?? null);
    }
    return caller;
  }

  async #resolve(c: Context): Promise<Caller | Response> {
    const header = c.req.header("authorization");
    const forced = this.options.forceUser;
    if (header !== undefined) {
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) return unauthorized("Use the Bearer authorization scheme.", true);
      if (forced) {
        return timingSafeEqual(token, FORCED_TOKEN)
          ? { user: { email: forced.email, kind: "forced" }, via: "forced" }
          : unauthorized("The token is invalid, expired or revoked.", true);
      }
      return await this.#bearer(token);
    }
    if (forced) return { user: { email: forced.email, kind: "forced" }, via: "forced" };
    const session = await this.sessions.read(c);
    if (!session) return { user: null, via: "none" };
    const user: OAuthUser = {
      email: session.email,
      kind: "user",
      sub: session.sub,
      iss: session.iss,
      ...(session.name ? { name: session.name } : {}),
      tokenId: session.jti,
      issuedAt: session.iat,
    };
    if (this.revocations.isRevoked(user)) return { user: null, via: "none" };
    return { user, via: "cookie" };
  }

  async #bearer(token: string): Promise<Caller | Response> {
    try {
      return { user: await this.tokens.resolve(token), via: "bearer" };
    } catch (error) {
      if (error instanceof InvalidToken || error instanceof TokenRefused) {
        return unauthorized(error.message, true);
      }
      if (error instanceof ProviderUnavailable) {
        return errorResponse(
          503,
          "provider_unavailable",
          "The identity provider cannot be reached; try again later.",
        );
      }
      throw error;
    }
  }

  /**
   * Whether `user` may use `capability`. Service and API tokens are limited to
   * the capabilities they were made with; a service account must also hold the
   * capability in the store now.
   */
  async allowed(user: OAuthUser | null, capability: string): Promise<boolean> {
    if (user?.capabilities && !user.capabilities.has(capability)) return false;
    if (user?.kind === "api") return true;
    return await this.caps.check(user?.email ?? null, capability);
  }

  /**
   * What `user` holds, closures applied: a service token is limited to its
   * snapshot and to the account's capabilities now, an API token to its own.
   */
  async held(user: OAuthUser): Promise<ReadonlySet<string>> {
    if (user.kind === "api") return user.capabilities ?? new Set();
    const effective = await this.caps.effective(user.email);
    if (!user.capabilities) return effective;
    return new Set([...user.capabilities].filter((name) => effective.has(name)));
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
