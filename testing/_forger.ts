// Shared by this package's own tests (not published): a provider that
// misbehaves on demand. The mock runs the protocol; this fetch swaps its JWKS
// and its ID tokens for ours, with the claims a test asks for, or replaces the
// token endpoint's whole answer.
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import type { FetchFunction } from "../src/http/http.ts";

/** A fetch for `OAuthManager`/`OidcClient` and the knobs that make it lie. */
export interface Forger {
  readonly fetch: FetchFunction;
  /** Edits the claims of every ID token from now on (signed with `signingKey`, else ours). */
  set(fn: (claims: JWTPayload) => JWTPayload, signingKey?: CryptoKey): void;
  /** Replaces the token endpoint's answer (return `undefined` to keep it). */
  answer(fn: (body: Record<string, unknown>) => Response | undefined): void;
  /** A JWT of `claims` signed as the provider's ID tokens are (or with `signingKey`, `header`). */
  sign(
    claims: JWTPayload,
    signingKey?: CryptoKey,
    header?: Record<string, unknown>,
  ): Promise<string>;
}

function payloadOf(jwt: string): JWTPayload {
  return JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
}

/** A provider whose ID tokens and token answers tests forge. */
export async function forger(): Promise<Forger> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "forger", alg: "RS256", use: "sig" };
  let edit: (claims: JWTPayload) => JWTPayload = (c) => c;
  let replace: (body: Record<string, unknown>) => Response | undefined = () => undefined;
  let key = privateKey;
  const fetcher: FetchFunction = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const res = await fetch(input, init);
    if (url.pathname.endsWith("/certs")) return Response.json({ keys: [jwk] });
    if (!url.pathname.endsWith("/token") || !res.ok) return res;
    const body = await res.json();
    const replaced = replace(body);
    if (replaced) return replaced;
    if (typeof body.id_token === "string") {
      body.id_token = await new SignJWT(edit(payloadOf(body.id_token)))
        .setProtectedHeader({ alg: "RS256", kid: "forger" })
        .sign(key);
    }
    return Response.json(body);
  };
  return {
    fetch: fetcher,
    set(fn, signingKey = privateKey) {
      edit = fn;
      key = signingKey;
    },
    answer(fn) {
      replace = fn;
    },
    sign: (claims, signingKey = privateKey, header = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "forger", ...header })
        .sign(signingKey),
  };
}
