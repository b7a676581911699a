/**
 * Encrypted configuration values, compatible with the Python package serieux
 * (`serieux patch` writes them, `EncryptionKey(password)` reads them): a value
 * is stored as `~CRYPT~` followed by a Fernet token of its JSON, under the key
 * `base64(SHA-256(password))`.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import {
  fernetDecrypt,
  fernetEncrypt,
  FernetError,
  type FernetKeys,
  importFernetKey,
} from "./fernet.ts";
import { pythonJsonDumps } from "./_pyjson.ts";

/** The marker that starts every encrypted value. */
const CRYPT_PREFIX = "~CRYPT~";

/** Fernet key = SHA-256 of the UTF-8 password, as serieux derives it. */
async function passwordKeys(password: string): Promise<FernetKeys> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(password));
  return importFernetKey(new Uint8Array(digest));
}

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== "string") throw new TypeError('"password" must be a string');
}

/**
 * Whether `value` is an encrypted value (a string starting with `~CRYPT~`).
 *
 * @param value Any configuration value.
 * @returns `true` for strings that `decryptValue` should open.
 *
 * @example
 * ```ts
 * import { isEncrypted } from "@easy-oauth/hono";
 * isEncrypted("~CRYPT~gAAAAA..."); // true
 * isEncrypted("plain text"); // false
 * ```
 */
export function isEncrypted(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(CRYPT_PREFIX);
}

/**
 * Encrypts a value the way serieux does: the Fernet token of Python's
 * `json.dumps(value)` (same separators and `\uXXXX` escapes, so Python reads
 * it back unchanged), prefixed with `~CRYPT~`.
 *
 * @param value A JSON value: string, number, boolean, null, array or plain object.
 * @param password The password (serieux reads it from `SERIEUX_PASSWORD`).
 * @returns `~CRYPT~` followed by a Fernet token.
 * @throws {TypeError} When the password is empty or the value is not JSON.
 *
 * @example
 * ```ts
 * import { decryptValue, encryptValue } from "@easy-oauth/hono";
 * const sealed = await encryptValue("my client secret", "change_me!!1");
 * await decryptValue(sealed, "change_me!!1"); // "my client secret"
 * ```
 */
export async function encryptValue(value: unknown, password: string): Promise<string> {
  checkPassword(password);
  if (password === "") throw new TypeError('"password" must not be empty');
  const plaintext = new TextEncoder().encode(pythonJsonDumps(value));
  return CRYPT_PREFIX + await fernetEncrypt(await passwordKeys(password), plaintext);
}

/**
 * Decrypts a value written by serieux (or by `encryptValue`).
 *
 * @param text `~CRYPT~` followed by a Fernet token.
 * @param password The password it was encrypted with.
 * @returns The value, parsed from its JSON.
 * @throws {ConfigError} Without a path: "wrong password" when the token does
 * not authenticate under this password, "malformed encrypted value" when the
 * text is not such a token. The configuration loader adds the path.
 *
 * @example
 * ```ts
 * import { decryptValue, encryptValue } from "@easy-oauth/hono";
 * const sealed = await encryptValue({ a: [1, 2] }, "change_me!!1");
 * await decryptValue(sealed, "change_me!!1"); // { a: [1, 2] }
 * ```
 */
export async function decryptValue(text: string, password: string): Promise<unknown> {
  checkPassword(password);
  if (!isEncrypted(text)) {
    throw new ConfigError(`malformed encrypted value: it does not start with "${CRYPT_PREFIX}"`);
  }
  let plaintext: Uint8Array;
  try {
    plaintext = await fernetDecrypt(await passwordKeys(password), text.slice(CRYPT_PREFIX.length));
  } catch (err) {
    if (!(err instanceof FernetError)) throw err;
    throw err.reason === "signature"
      ? new ConfigError("wrong password: the encrypted value does not open with it")
      : new ConfigError(`malformed encrypted value: ${err.message}`);
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    throw new ConfigError("malformed encrypted value: its plaintext is not JSON");
  }
}
