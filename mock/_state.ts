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

/** Seconds since the epoch by the provider's clock, as JWT claims count time. */
export function nowSeconds(state: MockState): number {
  return Math.floor(state.clock() / 1000);
}
