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
import { secretWeakness } from "./secret_strength.ts";

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
  "easy-oauth secret, or deno run -A jsr:@easy-oauth/hono/cli secret (in this repository: deno task cli secret)";

/**
 * Why a secret key cannot be used, or `undefined` when it can: at least
 * {@link MIN_SECRET_LENGTH} characters, and not easy to guess (repeated or
 * dictionary-like text, a single kind of character, or an estimated strength
 * under about 100 bits): a guessed key forges every session and token.
 */
export function secretKeyProblem(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) {
    return `must be at least ${MIN_SECRET_LENGTH} characters long, not ${secret.length} ` +
      `(generate one with: ${SECRET_COMMAND})`;
  }
  const weakness = secretWeakness(secret);
  return weakness &&
    `is too easy to guess: ${weakness} (generate a random one with: ${SECRET_COMMAND})`;
}

const encoder = new TextEncoder();
const HKDF_SALT = encoder.encode("easy-oauth-hono/v1");

/**
 * Seals and opens values for the purposes of {@link SealPurpose}. Keys are
 * derived lazily (on first use) and kept; a list of secrets rotates keys: the
 * first seals, all of them open.
 *
 * @example
 * ```ts
 * import { Sealer } from "./seal.ts";
 * const sealer = new Sealer("EY500Mhh2H_MuLObbJCk1aRqqQFuYRVjhcdAqUq64S8");
 * const token = await sealer.seal("user_token", { email: "a@b.c" }, { ttl: 3600 });
 * const claims = await sealer.open("user_token", token); // { email: "a@b.c", pur, jti, iat, exp }
 * await sealer.open("session", token); // null: sealed for another purpose
 * ```
 */
export class Sealer {
  readonly #secrets: readonly string[];
  readonly #clock: () => number;
  readonly #keys = new Map<SealPurpose, Promise<CryptoKey[]>>();

  /**
   * @param secretKey One secret, or a list (the first seals, all open).
   * @param clock The time in epoch milliseconds.
   * @throws {TypeError} When a secret is not a string of at least 16 characters, or is easy
   *   to guess (see {@link secretKeyProblem}).
   */
  constructor(secretKey: string | readonly string[], clock: () => number = Date.now) {
    const secrets = typeof secretKey === "string" ? [secretKey] : secretKey;
    if (!Array.isArray(secrets) || secrets.length === 0) {
      throw new TypeError('"secretKey" must be a string or a non-empty list of strings');
    }
    for (const s of secrets) {
      const problem = typeof s === "string"
        ? secretKeyProblem(s)
        : `must be a string (generate one with: ${SECRET_COMMAND})`;
      if (problem) throw new TypeError(`"secretKey" ${problem}`);
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
    const key = (await this.#derive(purpose))[0]!; // the first secret seals
    const now = Math.floor(this.#clock() / 1000);
    const jwt = new EncryptJWT({ ...claims, pur: purpose })
      // No key id: anything derived from the secret and shown would let a
      // guess of the secret be checked faster than by a decryption.
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: purpose })
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
    // Each secret of the rotation list in turn (the first seals): a short list.
    for (const key of keys) {
      const payload = await this.#decrypt(token, key, purpose);
      if (payload) return payload.pur === purpose ? payload as T & SealedClaims : null;
    }
    return null;
  }

  async #decrypt(token: string, key: CryptoKey, purpose: SealPurpose) {
    try {
      const { payload } = await jwtDecrypt(token, key, {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
        currentDate: new Date(this.#clock()),
        requiredClaims: ["jti", "iat"],
        typ: purpose,
      });
      return payload;
    } catch {
      return undefined;
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

  #derive(purpose: SealPurpose): Promise<CryptoKey[]> {
    let keys = this.#keys.get(purpose);
    if (!keys) {
      keys = Promise.all(this.#secrets.map((s) => deriveKey(s, purpose)));
      this.#keys.set(purpose, keys);
    }
    return keys;
  }
}

async function deriveKey(secret: string, purpose: SealPurpose): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: HKDF_SALT,
      info: encoder.encode(`easy-oauth ${purpose}`),
    },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
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
