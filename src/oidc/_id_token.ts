// Signatures of the provider's JWTs (ID tokens, signed userinfo), verified
// with jose against the provider's JWKS or, for HS*, the client secret (OIDC
// Core §10.1), in the algorithms discovery lists (oauth4webapi checks claims
// but not signatures); the key set is refetched at once when a token names a
// key it lacks (signing-key rotation).
import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { ProviderUnavailable } from "./_checks.ts";
import type { FetchFunction } from "../http/http.ts";
import { canonicalIssuer, issuersFor, isTenantTemplate, keyMaySign } from "./_issuer.ts";

/** The algorithms OpenID Connect allows for signed tokens: never `none`. */
export const OIDC_ALGORITHMS: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
  "HS256",
  "HS384",
  "HS512",
];
/** What is accepted when discovery lists no algorithms: the asymmetric ones. */
const UNLISTED = OIDC_ALGORITHMS.filter((alg) => !alg.startsWith("HS"));
/**
 * Least time between two refetches forced by an unknown `kid`: a rotation is
 * picked up by the very next login, and tokens naming unknown keys cannot make
 * the app fetch the key set more than once per interval.
 */
const FORCED_RELOAD_INTERVAL_MS = 5_000;

/** The algorithms of a discovery list (`id_token_signing_alg_values_supported`, …) that OIDC allows. */
export function allowedAlgorithms(listed: unknown): string[] {
  if (!Array.isArray(listed)) return [...UNLISTED];
  return [...new Set(listed.filter((alg) => OIDC_ALGORITHMS.includes(alg)))];
}

/** A token refused for a reason that may be logged (it holds no token, only names and values of claims). */
export class JwtRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "JwtRefused";
  }
}

/** What a verification needs besides the token. */
export interface JwtExpectations {
  /** The issuer discovery states (a template for Entra ID's multi-tenant endpoints). */
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  now: number;
  clockTolerance: number;
  /** Claims that must be there (an ID token: sub, iat, exp; signed userinfo: sub, iss, aud). */
  required: readonly string[];
}

/** The provider's key set and the verification of the JWTs it signs. */
export class JwtVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly #secret?: Uint8Array;
  #forcedAt = -Infinity;

  constructor(jwksUri: string, fetcher: FetchFunction, clientSecret?: string | undefined) {
    this.#jwks = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: 10_000,
      [customFetch]: (url, init) => checkedKeySet(fetcher, url, init),
    });
    if (clientSecret !== undefined) this.#secret = new TextEncoder().encode(clientSecret);
  }

  /**
   * The verified claims, `iss` in its one spelling.
   * @throws {ProviderUnavailable} When the key set cannot be fetched or read.
   * @throws {JwtRefused} When the signature, the algorithm or a claim is invalid.
   */
  async verify(jwt: string, expected: JwtExpectations): Promise<JWTPayload> {
    try {
      return await this.#verifyOnce(jwt, expected);
    } catch (error) {
      const now = Date.now();
      if (
        !(error instanceof errors.JWKSNoMatchingKey) ||
        now - this.#forcedAt < FORCED_RELOAD_INTERVAL_MS
      ) {
        throw refusal(error);
      }
      this.#forcedAt = now;
      await this.#jwks.reload();
      return await this.#verifyOnce(jwt, expected).catch((again) => {
        throw refusal(again);
      });
    }
  }

  async #verifyOnce(jwt: string, expected: JwtExpectations): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(jwt).alg;
    } catch {
      throw new JwtRefused("it is not a signed JWT");
    }
    if (typeof alg !== "string" || !expected.algorithms.includes(alg)) {
      throw new JwtRefused(
        `it is signed with ${quote(alg)}, which is not among the algorithms the provider's ` +
          `discovery lists and OpenID Connect allows (${expected.algorithms.join(", ") || "none"})`,
      );
    }
    if (alg.startsWith("HS") && !this.#secret) {
      throw new JwtRefused(
        `it is signed with ${alg}, a MAC keyed with the client secret, ` +
          "but no clientSecret is configured",
      );
    }
    const key: JWTVerifyGetKey | Uint8Array = alg.startsWith("HS") ? this.#secret! : this.#jwks;
    const { payload, protectedHeader } = await jwtVerify(jwt, key as JWTVerifyGetKey, {
      algorithms: [...expected.algorithms],
      audience: expected.audience,
      currentDate: new Date(expected.now),
      clockTolerance: expected.clockTolerance,
      requiredClaims: [...expected.required],
    });
    const problem = issuerProblem(expected.issuer, payload);
    if (problem) throw new JwtRefused(problem);
    const iss = payload.iss as string;
    if (isTenantTemplate(expected.issuer) && !alg.startsWith("HS")) {
      const jwk = this.#jwks.jwks()?.keys.find((k) => k.kid === protectedHeader.kid);
      if (!jwk || !keyMaySign((jwk as { issuer?: unknown }).issuer, iss, payload.tid)) {
        throw new JwtRefused(`the key that signed it is not one of ${quote(iss)}`);
      }
    }
    // jose checks that iat is a number, not that it is not in the future.
    if (
      typeof payload.iat === "number" &&
      payload.iat > expected.now / 1000 + expected.clockTolerance
    ) {
      throw new JwtRefused("it was issued in the future");
    }
    return { ...payload, iss: canonicalIssuer(iss) };
  }
}

/**
 * Why a token with `claims` may not carry its `iss`, given the issuer
 * discovery states (see `issuersFor`), or `null`.
 */
export function issuerProblem(
  issuer: string,
  claims: { readonly [claim: string]: unknown },
): string | null {
  const iss = claims.iss;
  const issuers = issuersFor(issuer, claims);
  if (typeof iss === "string" && issuers.includes(iss)) return null;
  return `its issuer is ${quote(iss)}, not ${
    issuers.map(quote).join(" or ") ||
    `${quote(issuer)} filled in with its tenant id (its "tid" is ${quote(claims.tid)})`
  }`;
}

/** A provider's value, quoted and cut for a log line. */
function quote(value: unknown): string {
  if (typeof value !== "string") return value === undefined ? "missing" : "not a string";
  return JSON.stringify(value.slice(0, 100)).replace(/[\u2028\u2029]/g, " ");
}

/** A jose error as a loggable refusal; outages and refusals pass as they are. */
function refusal(error: unknown): unknown {
  if (error instanceof ProviderUnavailable || error instanceof JwtRefused) return error;
  if (error instanceof errors.JWTExpired) return new JwtRefused("it has expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new JwtRefused(`its ${quote(error.claim)} claim fails: ${error.reason}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new JwtRefused("its signature does not verify");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new JwtRefused("no key of the provider's key set matches it");
  }
  if (error instanceof errors.JOSEError) return new JwtRefused(`jose refused it (${error.code})`);
  return error;
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
