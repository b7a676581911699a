// The state one mock provider shares between its endpoints.
import type { ClientCheck } from "./_clients.ts";
import type { MockControls } from "./_controls.ts";
import type { GrantStore } from "./_grants.ts";
import type { Signer } from "./_keys.ts";
import type { LoginSessions } from "./_sessions.ts";

/** Everything an endpoint of one provider needs. */
export interface MockState {
  /** Epoch milliseconds. */
  clock: () => number;
  /** The configured issuer, or `undefined` to use each request's origin. */
  issuer: string | undefined;
  /** Seconds. */
  accessTokenTtl: number;
  grants: GrantStore;
  signer: Signer;
  /** Faults, outages, quirks and per-user claims set by tests. */
  controls: MockControls;
  /** Registered clients, or any client when none are. */
  clients: ClientCheck;
  /** When each user last authenticated. */
  sessions: LoginSessions;
  /** Who logs in when the authorization request has no `login_hint`. */
  currentEmail(): string;
}

/** The issuer identifier, and base URL of every endpoint, for `request`. */
export function issuerOf(state: MockState, request: Request): string {
  return state.issuer ?? new URL(request.url).origin;
}

/**
 * Whether a browser request comes from the mock's own pages: a present
 * `Origin` is the issuer's (or the request's own) origin, and
 * `Sec-Fetch-Site` does not say another site sent it. Scripts send neither.
 */
export function fromOwnPage(state: MockState, request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  return origin === new URL(request.url).origin ||
    (URL.canParse(issuerOf(state, request)) && origin === new URL(issuerOf(state, request)).origin);
}

/** Seconds since the epoch by the provider's clock, as JWT claims count time. */
export function nowSeconds(state: MockState): number {
  return Math.floor(state.clock() / 1000);
}
