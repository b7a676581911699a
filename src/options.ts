/**
 * The options of `OAuthManager`.
 *
 * @module
 */
import type { Context } from "hono";
import type { CapabilitySet } from "./capabilities/capabilities.ts";
import type { CapabilitySetOptions } from "./capabilities/options.ts";
import type { TokenStore } from "./stores/token_store.ts";
import type { FetchFunction } from "./http/http.ts";
import type { TokenEndpointAuthMethod } from "./oidc/client.ts";
import type { AuditLog } from "./audit/audit_entry.ts";

/**
 * The user of `forceUser` mode, as the Python package's `force_user`: an
 * email, a `sub` (the email by default) and any other claims (`name`, …),
 * all of them on `c.var.user` (`sub`, `name`, and `claims`).
 *
 * @example
 * ```ts
 * import type { ForcedUser } from "@easy-oauth/hono";
 * const dev: ForcedUser = { email: "dev@example.com", sub: "42", name: "Dev" };
 * ```
 */
export interface ForcedUser {
  /** Who every request is. */
  readonly email: string;
  /**
   * The subject identifier.
   * @default {the email}
   */
  readonly sub?: string | undefined;
  /** The display name. */
  readonly name?: string | undefined;
  /** Other claims, exposed on `c.var.user.claims`. */
  readonly [claim: string]: unknown;
}

/**
 * What `new OAuthManager(options)` takes. The snake_case keys of the Python
 * package's configuration file map one to one onto these camelCase names
 * (`server_metadata_url` → `serverMetadataUrl`).
 *
 * @example
 * ```ts
 * import type { OAuthManagerOptions } from "@easy-oauth/hono";
 * const options: OAuthManagerOptions = {
 *   serverMetadataUrl: "http://127.0.0.1:29313/.well-known/openid-configuration",
 *   secretKey: "<SECRET_KEY: the output of easy-oauth secret>",
 *   clientId: "my-client",
 *   clientSecret: "my-secret",
 *   capabilities: { graph: { read: [], write: ["read"] } },
 * };
 * ```
 */
export interface OAuthManagerOptions {
  /** The provider's OpenID discovery document. Required unless `forceUser` is set. */
  serverMetadataUrl?: string | undefined;
  /**
   * The secret from which every key is derived (at least 16 characters; `deno run -A jsr:@easy-oauth/hono/cli secret` makes a good one). A list
   * rotates keys: the first seals, all of them open. Required unless `forceUser`
   * is set; then, without it, a random one is made for the process (and logged:
   * tokens will not survive a restart).
   */
  secretKey?: string | readonly string[] | undefined;
  /** The client id registered with the provider. Required unless `forceUser` is set. */
  clientId?: string | undefined;
  /** The client secret registered with the provider. */
  clientSecret?: string | undefined;
  /**
   * How the app authenticates at the provider's token endpoint (OIDC Core §9):
   * the secret in a Basic header, in the form body, or not at all (a public
   * client). Also accepted as `clientKwargs.token_endpoint_auth_method`, as
   * Authlib does.
   * @default {what discovery lists, preferring "client_secret_basic" ("none" without a secret)}
   */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  /**
   * Extra parameters of the authorization request. Authlib's client settings
   * are also accepted here: `code_challenge_method` (must be `"S256"`, the
   * only method used) and `token_endpoint_auth_method`.
   * @default {{ scope: "openid email" }}
   */
  clientKwargs?: Readonly<Record<string, string>> | undefined;
  /**
   * Log out at the provider too (OpenID Connect RP-Initiated Logout 1.0):
   * `/logout` redirects through the provider's `end_session_endpoint` with
   * `id_token_hint` and `post_logout_redirect_uri` = the app's origin + `/`
   * (register it with the provider). Without it, the provider's session stays
   * and the next login may sign in silently.
   * @default {false}
   */
  providerLogout?: boolean | undefined;
  /**
   * The provider's logout URL, for `providerLogout` when its discovery
   * document lists no `end_session_endpoint`: Auth0 tenants made before
   * 14 November 2023 have only `https://TENANT.auth0.com/v2/logout`. The
   * browser is sent there with `client_id`, `id_token_hint` and the return URL
   * both as `post_logout_redirect_uri` and as Auth0's `returnTo`. An
   * `end_session_endpoint` in discovery is used instead when there is one.
   * @default {none: the discovery document's `end_session_endpoint`}
   */
  providerLogoutUrl?: string | undefined;
  /**
   * Who may log in, by the domain of their email (`["example.com"]`, exact
   * domains, no subdomains): checked at each login and each refresh, on top
   * of the capabilities. With Google, an ID token's `hd` (the Google
   * Workspace domain, which the login screen only takes as a hint) must be
   * listed too when it is there.
   * @default {every domain}
   */
  allowedDomains?: readonly string[] | undefined;
  /**
   * Which Microsoft Entra ID tenants may log in, by tenant id (the `tid` of
   * their tokens), for an app registered as multi-tenant
   * (`https://login.microsoftonline.com/common/v2.0/…`, `/organizations/…`):
   * checked at each login and each refresh.
   * @default {every tenant}
   */
  allowedTenants?: readonly string[] | undefined;
  /** The capabilities and who holds them. */
  capabilities: CapabilitySet | CapabilitySetOptions;
  /**
   * Where the routes go: `"/api/v1"` puts them at `/api/v1/login`, etc.
   * @default {""}
   */
  prefix?: string | undefined;
  /** Development mode: every request is this user, and no provider is used. */
  forceUser?: ForcedUser | undefined;
  /**
   * The time, in epoch milliseconds, for every expiry decision.
   * @default {Date.now}
   */
  clock?: (() => number) | undefined;
  /**
   * Seconds of clock difference allowed with the provider when checking ID
   * tokens: `exp` and `nbf`, and `iat` ahead of now (beyond it, the token is
   * refused).
   * @default {300}
   */
  clockTolerance?: number | undefined;
  /**
   * The public origin of the app (`https://app.example.com`), for deployments
   * behind a proxy. It builds the `redirect_uri` and is trusted for
   * cross-site checks. By default the request's own origin is used.
   */
  baseUrl?: string | undefined;
  /**
   * Other origins whose cookie-authenticated POSTs are accepted.
   * @default {[]}
   */
  trustedOrigins?: readonly string[] | undefined;
  /**
   * The `fetch` used for calls to the provider (a testing seam).
   * @default {globalThis.fetch}
   */
  fetch?: FetchFunction | undefined;
  /**
   * Where revocations, issued API tokens, logins (grant records) and used
   * login states are kept. A `caps.tokens.json` of earlier versions beside
   * `userFile` is imported into the default once (and kept as
   * `caps.tokens.json.imported`).
   * @default {a `SqliteStore` beside `userFile` (`caps.yaml` → `caps.db`), else a `MemoryTokenStore`}
   */
  tokenStore?: TokenStore | undefined;
  /**
   * The URL that the token page's ready-to-paste `curl` line calls: a path of
   * the app (`"/api/me"`) or an absolute http(s) URL.
   * @default {`{prefix}/token/whoami`, which says who the token is}
   */
  tokenCheckUrl?: string | undefined;
  /**
   * Lifetime, in seconds, of a token minted through a headless login
   * (`easy-oauth login`): shorter than that of a token from `/token`, since
   * the person confirmed it on a page opened from a link.
   * @default {2592000 (30 days)}
   */
  headlessTokenLifetime?: number | undefined;
  /**
   * The client's address, for the bounds on headless login starts, the page
   * that confirms one, and the audit trail. Behind a proxy, read it from the
   * header the proxy sets (and only when the proxy sets it).
   * @default {the peer address that Deno.serve, Bun.serve or @hono/node-server gives Hono in c.env}
   */
  clientAddress?: ((c: Context) => string | undefined) | undefined;
  /**
   * Where refusals and events are logged (never tokens or secrets).
   * @default {console.warn}
   */
  log?: ((message: string) => void) | undefined;
  /**
   * Where the audit trail is kept: who changed whose capabilities, minted or
   * revoked which token, when and from where (see `docs/admin.md`).
   * @default {a `SqliteAuditLog` beside the default `SqliteStore` (`caps.db` → `caps.audit.db`), else memory}
   */
  audit?: AuditLog | undefined;
  /**
   * Also record every login and logout in the audit trail (a line per login:
   * off by default for volume). Headless logins are always recorded.
   * @default {false}
   */
  auditLogins?: boolean | undefined;
}
