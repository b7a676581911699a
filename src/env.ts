/**
 * The caller as routes see it: `c.var.email` and `c.var.user`.
 *
 * @module
 */

/**
 * How the caller proved who they are: a browser session or a user token
 * (`"user"`), a service token (`"service"`), a capability-scoped API token
 * (`"api"`), or the `forceUser` development mode (`"forced"`).
 *
 * @example
 * ```ts
 * import type { OAuthUserKind } from "@easy-oauth/hono";
 * const kind: OAuthUserKind = "user";
 * ```
 */
export type OAuthUserKind = "user" | "service" | "api" | "forced";

/**
 * A token that made another token (see {@link OAuthUser.parents}).
 *
 * @example
 * ```ts
 * import type { TokenParent } from "@easy-oauth/hono";
 * const parent: TokenParent = { email: "api:ci", tokenId: "k3J…", issuedAt: 1767139200 };
 * ```
 */
export interface TokenParent {
  /** Its account (`api:<name>` for an API token). */
  readonly email: string;
  /** Its id. */
  readonly tokenId: string;
  /** When it was issued (seconds since the epoch). */
  readonly issuedAt?: number | undefined;
}

/**
 * The authenticated caller.
 *
 * @example
 * ```ts
 * import type { OAuthUser } from "@easy-oauth/hono";
 * const user: OAuthUser = { email: "a@b.c", kind: "user", sub: "123" };
 * ```
 */
export interface OAuthUser {
  /** The account: an email, `name@service` for service accounts, `api:<name>` for API tokens. */
  readonly email: string;
  /** How the caller authenticated. */
  readonly kind: OAuthUserKind;
  /** The provider's subject identifier (people only). */
  readonly sub?: string | undefined;
  /** The provider's issuer (people only). */
  readonly iss?: string | undefined;
  /** The display name the provider gave, if any. */
  readonly name?: string | undefined;
  /** The id of the token or session that authenticated the request. */
  readonly tokenId?: string | undefined;
  /** When that token or session was issued (seconds since the epoch). */
  readonly issuedAt?: number | undefined;
  /** The capabilities a service or API token was limited to when it was made (closures included). */
  readonly capabilities?: ReadonlySet<string> | undefined;
  /** When the token that authenticated the request expires (seconds since the epoch). */
  readonly expiresAt?: number | undefined;
  /**
   * The accounts that made this service or API token, directly or through
   * tokens they made: it holds no capability that one of them lacks now.
   */
  readonly createdBy?: readonly string[] | undefined;
  /** The tokens that made this one, directly or not: revoking one of them revokes it. */
  readonly parents?: readonly TokenParent[] | undefined;
  /** Every claim given to `forceUser` (`"forced"` only), with `sub` filled in. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The Hono environment of an app that uses `OAuthManager`:
 * `new Hono<OAuthEnv>()` types `c.var.email` and `c.var.user`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import type { OAuthEnv } from "@easy-oauth/hono";
 * const app = new Hono<OAuthEnv>();
 * app.get("/me", (c) => c.json({ email: c.var.email }));
 * ```
 */
export type OAuthEnv = {
  Variables: {
    /** The caller's email, or `null` for a guest. */
    email: string | null;
    /** The caller, or `null` for a guest. */
    user: OAuthUser | null;
  };
};
