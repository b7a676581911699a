// ID-token signatures, verified with jose against the provider's JWKS
// (oauth4webapi checks claims but not signatures), with the key set refetched
// at once when a token names a key it lacks (signing-key rotation).
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from "jose";
import { ProviderUnavailable } from "./_checks.ts";
import type { FetchFunction } from "../http/http.ts";

const ID_TOKEN_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];
/**
 * Least time between two refetches forced by an unknown `kid`: a rotation is
 * picked up by the very next login, and tokens naming unknown keys cannot make
 * the app fetch the key set more than once per interval.
 */
const FORCED_RELOAD_INTERVAL_MS = 5_000;

/** What a verification needs besides the token. */
export interface IdTokenExpectations {
  issuer: string;
  audience: string;
  now: number;
  clockTolerance: number;
}

/** The provider's key set and the verification of its ID tokens. */
export class IdTokenVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  #forcedAt = -Infinity;

  constructor(jwksUri: string, fetcher: FetchFunction) {
    this.#jwks = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: 10_000,
      [customFetch]: (url, init) => checkedKeySet(fetcher, url, init),
    });
  }

  /**
   * The verified claims.
   * @throws {ProviderUnavailable} When the key set cannot be fetched or read.
   * @throws When the signature or a claim is invalid (a jose error).
   */
  async verify(idToken: string, expected: IdTokenExpectations): Promise<JWTPayload> {
    try {
      return await this.#verify(idToken, expected);
    } catch (error) {
      const now = Date.now();
      if (
        !(error instanceof errors.JWKSNoMatchingKey) ||
        now - this.#forcedAt < FORCED_RELOAD_INTERVAL_MS
      ) {
        throw error;
      }
      this.#forcedAt = now;
      await this.#jwks.reload();
      return await this.#verify(idToken, expected);
    }
  }

  async #verify(idToken: string, expected: IdTokenExpectations): Promise<JWTPayload> {
    const { payload } = await jwtVerify(idToken, this.#jwks, {
      algorithms: ID_TOKEN_ALGORITHMS,
      issuer: expected.issuer,
      audience: expected.audience,
      currentDate: new Date(expected.now),
      clockTolerance: expected.clockTolerance,
      requiredClaims: ["sub", "iat", "exp"],
    });
    // jose checks that iat is a number, not that it is not in the future.
    if ((payload.iat as number) > expected.now / 1000 + expected.clockTolerance) {
      throw new Error("the ID token was issued in the future");
    }
    return payload;
  }
}

/** Fetches the key set; an answer that is not a 200 JSON key set is an outage, not a bad token. */
async function checkedKeySet(
  fetcher: FetchFunction,
  url: string,
  init: RequestInit,
): Promise<Response> {
  const response = await fetcher(url, init);
  const text = await response.text();
  let keys: unknown;
  try {
    keys = (JSON.parse(text) as { keys?: unknown }).keys;
  } catch {
    // reported below
  }
  if (response.status !== 200 || !Array.isArray(keys)) {
    throw new ProviderUnavailable(
      `the JWKS endpoint answered ${response.status}${
        Array.isArray(keys) ? "" : " without a key set"
      }`,
    );
  }
  return new Response(text, { status: 200, headers: response.headers });
}
