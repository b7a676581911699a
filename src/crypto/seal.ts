/**
 * Sealing: everything this module hands out (session cookies, login state,
 * user, service and API tokens) is an encrypted and authenticated JWT
 * (JWE `dir` + `A256GCM`), under a key derived from the secret with HKDF and a
 * purpose label of its own, so that a value sealed for one purpose never opens
 * as another.
 *
 * @module
 */
import { base64url, decodeProtectedHeader, EncryptJWT, jwtDecrypt, type JWTPayload } from "jose";

/**
 * What a sealed value is for. Each purpose has its own derived key.
 *
 * @example
 * ```ts
 * import type { SealPurpose } from "./seal.ts";
 * const purpose: SealPurpose = "session";
 * ```
 */
export type SealPurpose =
  | "session"
  | "login_state"
  | "user_token"
  | "service_token"
  | "api_token"
  | "refresh_token"
  | "handover";

const PURPOSES: readonly SealPurpose[] = [
  "session",
  "login_state",
  "user_token",
  "service_token",
  "api_token",
  "refresh_token",
  "handover",
];

/**
 * The claims every sealed value carries besides its own: a purpose (`pur`), an
 * id (`jti`), an issue time (`iat`) and, where one was asked for, an expiry
 * (`exp`), all in seconds since the epoch.
 *
 * @example
 * ```ts
 * import type { SealedClaims } from "./seal.ts";
 * const claims: SealedClaims = { pur: "session", jti: "abc", iat: 1700000000 };
 * ```
 */
export interface SealedClaims extends JWTPayload {
  /** The purpose the value was sealed for. */
  pur: SealPurpose;
  /** A random id, unique per sealed value. */
  jti: string;
  /** When it was sealed (seconds since the epoch). */
  iat: number;
  /** When it stops opening (seconds since the epoch), if ever. */
  exp?: number;
}

/**
 * Minimum length of a secret key, in characters. Keys made by
 * `easy-oauth secret` are 43; 16 still admits the shorter keys of existing
 * Python easy-oauth configurations.
 */
export const MIN_SECRET_LENGTH = 16;

/** The command that prints a good secret, as messages about a bad one name it. */
export const SECRET_COMMAND =
  "deno run -A jsr:@easy-oauth/hono/cli secret (in this repository: deno task cli secret)";

const encoder = new TextEncoder();
const HKDF_SALT = encoder.encode("easy-oauth-hono/v1");

interface DerivedKey {
  kid: string;
  key: CryptoKey;
}

/**
 * Seals and opens values for the purposes of {@link SealPurpose}. Keys are
 * derived lazily (on first use) and kept; a list of secrets rotates keys: the
 * first seals, all of them open.
 *
 * @example
 * ```ts
 * import { Sealer } from "./seal.ts";
 * const sealer = new Sealer("a secret of at least thirty-two characters!!");
 * const token = await sealer.seal("user_token", { email: "a@b.c" }, { ttl: 3600 });
 * const claims = await sealer.open("user_token", token); // { email: "a@b.c", pur, jti, iat, exp }
 * await sealer.open("session", token); // null: sealed for another purpose
 * ```
 */
export class Sealer {
  readonly #secrets: readonly string[];
  readonly #clock: () => number;
  readonly #keys = new Map<SealPurpose, Promise<DerivedKey[]>>();

  /**
   * @param secretKey One secret, or a list (the first seals, all open).
   * @param clock The time in epoch milliseconds.
   * @throws {TypeError} When a secret is not a string of at least 16 characters.
   */
  constructor(secretKey: string | readonly string[], clock: () => number = Date.now) {
    const secrets = typeof secretKey === "string" ? [secretKey] : secretKey;
    if (!Array.isArray(secrets) || secrets.length === 0) {
      throw new TypeError('"secretKey" must be a string or a non-empty list of strings');
    }
    for (const s of secrets) {
      if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) {
        throw new TypeError(
          `"secretKey" must be at least ${MIN_SECRET_LENGTH} characters long ` +
            `(generate one with: ${SECRET_COMMAND})`,
        );
      }
    }
    this.#secrets = [...secrets];
    this.#clock = clock;
  }

  /**
   * Seals `claims` for `purpose`.
   *
   * @param purpose What the value is for.
   * @param claims The content. `pur`, `jti` and `iat` are set here; `jti` may be given.
   * @param options `ttl` in seconds sets `exp`.
   * @returns A compact JWE string, safe for cookies and headers.
   */
  async seal(
    purpose: SealPurpose,
    claims: Record<string, unknown>,
    options: { ttl?: number } = {},
  ): Promise<string> {
    const { kid, key } = (await this.#derive(purpose))[0]!; // the first secret seals
    const now = Math.floor(this.#clock() / 1000);
    const jwt = new EncryptJWT({ ...claims, pur: purpose })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid, typ: purpose })
      .setIssuedAt(now)
      .setJti(typeof claims.jti === "string" ? claims.jti : randomId());
    if (options.ttl !== undefined) jwt.setExpirationTime(now + options.ttl);
    return await jwt.encrypt(key);
  }

  /**
   * Opens a value sealed for `purpose`: decrypts, authenticates, and checks the
   * purpose and the expiry against the clock.
   *
   * @returns The claims, or `null` for anything that does not open (garbage,
   *   tampering, another purpose, another key, expired).
   */
  async open<T extends Record<string, unknown> = Record<string, unknown>>(
    purpose: SealPurpose,
    token: string,
  ): Promise<(T & SealedClaims) | null> {
    if (typeof token !== "string" || token.length > 8192 || token.split(".").length !== 5) {
      return null;
    }
    const keys = await this.#derive(purpose);
    try {
      const { payload } = await jwtDecrypt(token, (header) => {
        const match = keys.find((k) => k.kid === header.kid);
        if (!match) throw new Error("unknown key id");
        return match.key;
      }, {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
        currentDate: new Date(this.#clock()),
        requiredClaims: ["jti", "iat"],
        typ: purpose,
      });
      if (payload.pur !== purpose) return null;
      return payload as T & SealedClaims;
    } catch {
      return null;
    }
  }

  /**
   * The purpose a sealed value announces in its (authenticated) header, so
   * that a bearer token is opened with the right key at the first try.
   * `open` still checks it.
   */
  static purposeOf(token: string): SealPurpose | undefined {
    try {
      const typ = decodeProtectedHeader(token).typ;
      return PURPOSES.find((p) => p === typ);
    } catch {
      return undefined;
    }
  }

  #derive(purpose: SealPurpose): Promise<DerivedKey[]> {
    let keys = this.#keys.get(purpose);
    if (!keys) {
      keys = Promise.all(this.#secrets.map((s) => deriveKey(s, purpose)));
      this.#keys.set(purpose, keys);
    }
    return keys;
  }
}

async function deriveKey(secret: string, purpose: SealPurpose): Promise<DerivedKey> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
    "deriveBits",
    "deriveKey",
  ]);
  const hkdf = (info: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: HKDF_SALT,
    info: encoder.encode(info),
  });
  const key = await crypto.subtle.deriveKey(
    hkdf(`easy-oauth ${purpose}`),
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  // The key id only tells which secret of the rotation list sealed a value; it
  // is derived separately so that it reveals nothing about the key itself.
  const kid = base64url.encode(
    new Uint8Array(await crypto.subtle.deriveBits(hkdf("easy-oauth kid"), base, 64)),
  );
  return { kid, key };
}

/**
 * A random, URL-safe id of 128 bits.
 *
 * @example
 * ```ts
 * import { randomId } from "./seal.ts";
 * randomId(); // "hM3k…" (22 characters)
 * ```
 */
export function randomId(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
}
