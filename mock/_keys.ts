// The mock's signing key: one RS256 key pair per provider, made on first need.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { JWTPayload } from "jose";

/** The only algorithm the mock signs with, as announced in its discovery document. */
export const SIGNING_ALG = "RS256";

interface KeyMaterial {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Signs ID tokens and publishes the matching public key. */
export interface Signer {
  /** The JSON Web Key Set to serve at the `jwks_uri`. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** A compact JWS over `claims`, with `alg`, `kid` and `typ` in its header. */
  sign(claims: JWTPayload): Promise<string>;
  /**
   * Signs with a new key from now on. The old key stays in the JWKS with
   * `keepOld` (a graceful rotation), else leaves it (a compromised key).
   */
  rotate(options: { keepOld: boolean }): Promise<void>;
}

/**
 * A signer whose RSA-2048 key is generated with Web Crypto on the first call,
 * never at import or construction time: key generation takes tens of
 * milliseconds and most imports of the mock never sign anything.
 */
export function createSigner(): Signer {
  let pending: Promise<KeyMaterial> | undefined;
  /** Retired public keys still published, newest first. */
  let retired: JWK[] = [];
  function material(): Promise<KeyMaterial> {
    // Concurrent first requests share one generation; a failure is retried next time.
    pending ??= makeKey().catch((err) => {
      pending = undefined;
      throw err;
    });
    return pending;
  }
  return {
    async jwks() {
      const { publicJwk } = await material();
      return { keys: [publicJwk, ...retired] };
    },
    async sign(claims) {
      const { privateKey, publicJwk } = await material();
      return await new SignJWT(claims)
        .setProtectedHeader({ alg: SIGNING_ALG, kid: publicJwk.kid!, typ: "JWT" })
        .sign(privateKey);
    },
    async rotate({ keepOld }) {
      const old = await material();
      const next = await makeKey();
      retired = keepOld ? [old.publicJwk, ...retired] : [];
      pending = Promise.resolve(next);
    },
  };
}

async function makeKey(): Promise<KeyMaterial> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicJwk: { ...jwk, kid, alg: SIGNING_ALG, use: "sig" } };
}
