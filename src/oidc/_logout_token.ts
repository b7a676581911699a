// The logout token of OpenID Connect Back-Channel Logout 1.0 §2.4, validated
// as §2.6 says: signed by a key of the provider's JWKS, the issuer as for ID
// tokens (exactly, but for Entra ID's multi-tenant template filled in with the
// token's `tid` and Google's two spellings: see `_issuer.ts`), this client in
// `aud`, a recent `iat`, the back-channel logout event, no `nonce` (an ID token
// is not a logout token), and a `sid` or a `sub`.
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from "jose";
import type { FetchFunction } from "../http/http.ts";
import { ProviderUnavailable } from "./_checks.ts";
import { issuerProblem, OIDC_ALGORITHMS } from "./_id_token.ts";
import { canonicalIssuer, isTenantTemplate, keyMaySign } from "./_issuer.ts";

/** The `events` member that makes a JWT a logout token (§2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/**
 * How old (seconds, beyond the clock tolerance) a logout token may be: one
 * sent again later is refused as stale, one sent again sooner by its `jti`.
 */
export const LOGOUT_TOKEN_MAX_AGE = 600;
/** Asymmetric algorithms only: a logout token is never a MAC or unsigned (§2.6 step 2). */
const ALGORITHMS = OIDC_ALGORITHMS.filter((alg) => !alg.startsWith("HS"));
const MAX_ID = 255;

/** What a valid logout token says. */
export interface LogoutClaims {
  iss: string;
  /** The provider's session that ended (OIDC Front- and Back-Channel Logout `sid`). */
  sid?: string;
  /** The person whose sessions ended (all of them, when no `sid`). */
  sub?: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
}

/** A logout token that is not valid: a 400 to the provider; the message says why (no token in it). */
export class InvalidLogoutToken extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidLogoutToken";
  }
}

/** What a verification needs besides the token. */
export interface LogoutExpectations {
  /** The issuer discovery states (a template for Entra ID's multi-tenant endpoints). */
  issuer: string;
  audience: string;
  /** Epoch ms. */
  now: number;
  /** Seconds. */
  clockTolerance: number;
}

/** Verifies logout tokens against the provider's key set. */
export class LogoutTokenVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(jwksUri: string, fetcher: FetchFunction) {
    this.#jwks = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: 10_000,
      [customFetch]: fetcher,
    });
  }

  /**
   * The claims of a valid logout token.
   * @throws {InvalidLogoutToken} Saying which rule it breaks.
   * @throws {ProviderUnavailable} When the key set cannot be fetched or read.
   */
  async verify(token: string, expected: LogoutExpectations): Promise<LogoutClaims> {
    let payload: JWTPayload;
    let kid: string | undefined;
    try {
      ({ payload, protectedHeader: { kid } } = await jwtVerify(token, this.#jwks, {
        algorithms: ALGORITHMS,
        audience: expected.audience,
        currentDate: new Date(expected.now),
        clockTolerance: expected.clockTolerance,
        requiredClaims: ["iat", "jti"],
      }));
    } catch (error) {
      if (error instanceof ProviderUnavailable) throw error;
      if (
        error instanceof errors.JWKSInvalid || error instanceof errors.JWKSTimeout ||
        // jose's answer to a key set that is not a 200.
        (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC") ||
        (error instanceof Error && !(error instanceof errors.JOSEError))
      ) {
        throw new ProviderUnavailable("the JWKS endpoint could not be read", { cause: error });
      }
      throw new InvalidLogoutToken(`its signature or claims are invalid (${joseCode(error)})`);
    }
    const problem = issuerProblem(expected.issuer, payload);
    if (problem) throw new InvalidLogoutToken(problem);
    const iss = payload.iss as string;
    if (isTenantTemplate(expected.issuer)) {
      // Entra ID tags each key with the issuer it signs for.
      const jwk = this.#jwks.jwks()?.keys.find((k) => k.kid === kid);
      if (!jwk || !keyMaySign((jwk as { issuer?: unknown }).issuer, iss, payload.tid)) {
        throw new InvalidLogoutToken("the key that signed it is not one of its issuer");
      }
    }
    // The issuer in its one spelling, as logins record it.
    return claimsOf({ ...payload, iss: canonicalIssuer(iss) }, expected);
  }
}

function joseCode(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.code}: ${error.claim}`;
  return error instanceof errors.JOSEError ? error.code : "malformed";
}

/** The checks of §2.6 steps 4–7 that jose does not make. */
function claimsOf(payload: JWTPayload, expected: LogoutExpectations): LogoutClaims {
  const now = expected.now / 1000;
  const iat = payload.iat!;
  if (iat > now + expected.clockTolerance) {
    throw new InvalidLogoutToken("it is issued in the future");
  }
  if (iat < now - LOGOUT_TOKEN_MAX_AGE - expected.clockTolerance) {
    throw new InvalidLogoutToken("it is too old");
  }
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events !== null && typeof events === "object"
    ? events[BACKCHANNEL_LOGOUT_EVENT]
    : undefined;
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new InvalidLogoutToken("it lacks the back-channel logout event");
  }
  if (payload.nonce !== undefined) throw new InvalidLogoutToken("it carries a nonce");
  const { sid, sub, jti, iss } = payload;
  if (!isId(jti)) throw new InvalidLogoutToken("its jti is not a short string");
  if (sid !== undefined && !isId(sid)) {
    throw new InvalidLogoutToken("its sid is not a short string");
  }
  if (sub !== undefined && !isId(sub)) {
    throw new InvalidLogoutToken("its sub is not a short string");
  }
  if (sid === undefined && sub === undefined) {
    throw new InvalidLogoutToken("it names no sid or sub");
  }
  return {
    iss: iss!,
    jti: jti as string,
    iat,
    ...(sid === undefined ? {} : { sid: sid as string }),
    ...(sub === undefined ? {} : { sub }),
  };
}

function isId(value: unknown): boolean {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID;
}
