// What a test can make the mock do that a well-behaved provider would not:
// failing endpoints, an outage, provider quirks and per-user claims.
import type { Context, Next } from "hono";
import { PATHS } from "./_discovery.ts";
import { NO_STORE } from "./_http.ts";

/**
 * The endpoints a fault can hit.
 *
 * @example
 * ```ts
 * import type { MockEndpoint } from "@easy-oauth/hono/mock";
 * const endpoint: MockEndpoint = "token";
 * ```
 */
export type MockEndpoint =
  | "discovery"
  | "authorization"
  | "token"
  | "userinfo"
  | "jwks"
  | "revocation";

/**
 * How an endpoint misbehaves. With nothing but `delayMs`, it answers normally
 * after the delay. Otherwise it answers `status` with an OAuth error body
 * (`{"error", "error_description"}`), or with `body` as is; `{}` is a 500
 * `server_error`.
 *
 * @example
 * ```ts
 * import type { MockFault } from "@easy-oauth/hono/mock";
 * const outage: MockFault = { status: 503, error: "temporarily_unavailable", times: Infinity };
 * const garbage: MockFault = { body: "<html>Bad gateway</html>" }; // a 200 that is no JSON
 * ```
 */
export interface MockFault {
  /**
   * The status answered.
   * @default {400 with `error`, 200 with `body`, else 500}
   */
  status?: number | undefined;
  /**
   * The OAuth error code of the body.
   * @default {"server_error"}
   */
  error?: string | undefined;
  /** The `error_description` of the body. */
  description?: string | undefined;
  /** Answered as is, instead of an OAuth error body (a garbage body). */
  body?: string | undefined;
  /** Headers of the answer (a `WWW-Authenticate` challenge, say). */
  headers?: Record<string, string> | undefined;
  /**
   * Milliseconds to wait before answering (or before answering normally).
   * @default {0}
   */
  delayMs?: number | undefined;
  /**
   * How many requests it hits; `Infinity` until `heal()`.
   * @default {1}
   */
  times?: number | undefined;
}

/**
 * Behaviours in which real providers differ from the mock's defaults.
 *
 * @example
 * ```ts
 * import type { MockQuirks } from "@easy-oauth/hono/mock";
 * const quirks: MockQuirks = { rotateRefreshTokens: true, emailInUserinfoOnly: true };
 * ```
 */
export interface MockQuirks {
  /**
   * Each refresh answers a new refresh token and revokes the old one (RFC 9700 §4.14.2),
   * as Okta, Auth0 and Keycloak can, instead of Google's reuse.
   * @default {false}
   */
  rotateRefreshTokens?: boolean | undefined;
  /**
   * ID tokens carry no `email` nor `email_verified`: only userinfo does
   * (OpenID Connect Core §5.4 allows it).
   * @default {false}
   */
  emailInUserinfoOnly?: boolean | undefined;
}

/**
 * Claims of one user, in ID tokens and at userinfo, from the next token on.
 *
 * @example
 * ```ts
 * import type { MockUser } from "@easy-oauth/hono/mock";
 * const user: MockUser = { name: "Ada", email_verified: false, claims: { groups: ["dev"] } };
 * ```
 */
export interface MockUser {
  /** The display name (by default made from the email). */
  name?: string | undefined;
  /**
   * What `email_verified` says.
   * @default {true}
   */
  email_verified?: boolean | undefined;
  /** Any other claims; `iss`, `aud`, `azp`, `iat`, `exp`, `nonce` and `auth_time` cannot be set. */
  claims?: Record<string, unknown> | undefined;
}

const FIXED_CLAIMS = new Set(["iss", "aud", "azp", "iat", "exp", "nonce", "auth_time"]);
const ENDPOINTS = Object.keys(PATHS).filter((name) => name !== "setEmail" && name !== "health");

interface Armed extends MockFault {
  remaining: number;
}

/** The switches of one provider, read by its endpoints. */
export class MockControls {
  readonly #faults = new Map<string, Armed>();
  readonly #users = new Map<string, MockUser>();
  quirks: { [K in keyof MockQuirks]-?: boolean } = {
    rotateRefreshTokens: false,
    emailInUserinfoOnly: false,
  };
  down = false;
  /** Whether the authorization endpoint shows a login page (else it logs in without asking). */
  loginPage = false;
  /** The emails that logged in last, most recent first (the login page's buttons). */
  readonly recent: string[] = [];

  /** Arms a fault; the last one set for an endpoint wins. */
  fail(endpoint: MockEndpoint, fault: MockFault = {}): void {
    if (!ENDPOINTS.includes(endpoint)) {
      throw new TypeError(`"endpoint" must be one of ${ENDPOINTS.join(", ")}.`);
    }
    const times = fault.times ?? 1;
    if (!(times >= 1) || (times !== Infinity && !Number.isInteger(times))) {
      throw new TypeError('"times" must be a whole number of requests, at least 1, or Infinity.');
    }
    const status = fault.status;
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599)) {
      throw new TypeError('"status" must be an HTTP status from 200 to 599.');
    }
    if (fault.delayMs !== undefined && !(fault.delayMs >= 0)) {
      throw new TypeError('"delayMs" must be a number of milliseconds, at least 0.');
    }
    this.#faults.set(PATHS[endpoint as keyof typeof PATHS], { ...fault, remaining: times });
  }

  /** Disarms the faults of one endpoint, or of all. */
  heal(endpoint?: MockEndpoint): void {
    if (endpoint === undefined) this.#faults.clear();
    else this.#faults.delete(PATHS[endpoint]);
  }

  setUser(email: string, user: MockUser): void {
    this.#users.set(email.toLowerCase(), structuredClone(user));
  }

  /** Notes a login, with the name typed on the login page if any. */
  loggedIn(email: string, name?: string): void {
    if (name !== undefined) {
      const key = email.toLowerCase();
      this.#users.set(key, { ...this.#users.get(key), name });
    }
    const at = this.recent.indexOf(email);
    if (at >= 0) this.recent.splice(at, 1);
    this.recent.unshift(email);
    this.recent.length = Math.min(this.recent.length, 5);
  }

  /** The claims `email`'s tokens carry besides the protocol's, with `base` as defaults. */
  claimsOf(email: string, base: { name: string }): Record<string, unknown> {
    const user = this.#users.get(email.toLowerCase()) ?? {};
    const extra = Object.entries(user.claims ?? {}).filter(([key]) => !FIXED_CLAIMS.has(key));
    return {
      name: user.name ?? base.name,
      email_verified: user.email_verified ?? true,
      ...Object.fromEntries(extra),
    };
  }

  /** The middleware that applies outages and faults before the endpoints run. */
  readonly middleware = async (c: Context, next: Next): Promise<Response | void> => {
    if (this.down) return unavailable();
    const fault = this.#faults.get(c.req.path);
    if (fault === undefined) return await next();
    if (--fault.remaining <= 0) this.#faults.delete(c.req.path);
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    const onlyDelay = fault.delayMs !== undefined && fault.status === undefined &&
      fault.error === undefined && fault.body === undefined;
    if (onlyDelay) return await next();
    return faultResponse(fault);
  };
}

function faultResponse(fault: MockFault): Response {
  if (fault.body !== undefined) {
    return new Response(fault.body, {
      status: fault.status ?? 200,
      headers: { ...NO_STORE, "Content-Type": "application/json", ...fault.headers },
    });
  }
  const error = fault.error ?? "server_error";
  return Response.json(
    { error, error_description: fault.description ?? `The mock was told to fail (${error}).` },
    {
      status: fault.status ?? (fault.error === undefined ? 500 : 400),
      headers: { ...NO_STORE, ...fault.headers },
    },
  );
}

function unavailable(): Response {
  return Response.json(
    { error: "temporarily_unavailable", error_description: "The mock provider is down." },
    { status: 503, headers: { ...NO_STORE, "Retry-After": "1" } },
  );
}
