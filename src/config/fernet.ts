// Fernet (https://github.com/fernet/spec), the token format of Python's
// `cryptography.fernet`, on Web Crypto alone. Written here because no
// well-kept npm Fernet package runs on Web Crypto (they need node:crypto or
// bundle their own AES), and the format is small: version byte 0x80, 8-byte
// big-endian timestamp (seconds), 16-byte IV, AES-128-CBC/PKCS7 ciphertext,
// then HMAC-SHA256 over all of that; URL-safe base64 with padding.

const VERSION = 0x80;
const HEADER_BYTES = 1 + 8 + 16;
const MAC_BYTES = 32;
const BLOCK_BYTES = 16;

/** Why a token did not open: it is not a Fernet token, or the key is not its key. */
export class FernetError extends Error {
  constructor(readonly reason: "malformed" | "signature", message: string) {
    super(message);
    this.name = "FernetError";
  }
}

/** The two Web Crypto keys of a 32-byte Fernet key: signing half, then encryption half. */
export interface FernetKeys {
  readonly signing: CryptoKey;
  readonly encryption: CryptoKey;
}

/** Imports a raw 32-byte Fernet key (what Python base64-decodes from its key string). */
export async function importFernetKey(raw: Uint8Array<ArrayBuffer>): Promise<FernetKeys> {
  if (raw.byteLength !== 32) throw new TypeError("a Fernet key is 32 bytes");
  const [signing, encryption] = await Promise.all([
    crypto.subtle.importKey("raw", raw.slice(0, 16), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]),
    crypto.subtle.importKey("raw", raw.slice(16, 32), { name: "AES-CBC" }, false, [
      "encrypt",
      "decrypt",
    ]),
  ]);
  return { signing, encryption };
}

/** URL-safe base64 with padding, as Python's `base64.urlsafe_b64encode`. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

/** URL-safe base64, padding optional; `undefined` when the text is not base64. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return undefined;
  const bare = text.replace(/=+$/, "");
  if (bare.length % 4 === 1) return undefined;
  const binary = atob(bare.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Encrypts `plaintext` into a Fernet token. `seconds` and `iv` are seams for
 * tests that compare tokens byte for byte with Python's.
 */
export async function fernetEncrypt(
  keys: FernetKeys,
  plaintext: Uint8Array<ArrayBuffer>,
  seconds: number = Math.floor(Date.now() / 1000),
  iv: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(16)),
): Promise<string> {
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-CBC", iv }, keys.encryption, plaintext),
  );
  const signed = new Uint8Array(HEADER_BYTES + ciphertext.byteLength);
  signed[0] = VERSION;
  new DataView(signed.buffer).setBigUint64(1, BigInt(seconds));
  signed.set(iv, 9);
  signed.set(ciphertext, HEADER_BYTES);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", keys.signing, signed));
  const token = new Uint8Array(signed.byteLength + MAC_BYTES);
  token.set(signed);
  token.set(mac, signed.byteLength);
  return base64UrlEncode(token);
}

/**
 * Opens a Fernet token. No time-to-live is applied (serieux applies none).
 *
 * @throws {FernetError} `malformed` when the text is not a Fernet token,
 * `signature` when its HMAC does not match the key (a wrong key).
 */
export async function fernetDecrypt(keys: FernetKeys, token: string): Promise<Uint8Array> {
  const bytes = base64UrlDecode(token.trim());
  if (bytes === undefined) throw new FernetError("malformed", "not URL-safe base64");
  const cipherBytes = bytes.byteLength - HEADER_BYTES - MAC_BYTES;
  if (bytes[0] !== VERSION) throw new FernetError("malformed", "not a Fernet token");
  if (cipherBytes < BLOCK_BYTES || cipherBytes % BLOCK_BYTES !== 0) {
    throw new FernetError("malformed", "truncated or padded token");
  }
  const signed = bytes.slice(0, bytes.byteLength - MAC_BYTES);
  const mac = bytes.slice(bytes.byteLength - MAC_BYTES);
  // crypto.subtle.verify compares in constant time.
  if (!await crypto.subtle.verify("HMAC", keys.signing, mac, signed)) {
    throw new FernetError("signature", "the HMAC does not match");
  }
  try {
    const iv = bytes.slice(9, HEADER_BYTES);
    const ciphertext = bytes.slice(HEADER_BYTES, bytes.byteLength - MAC_BYTES);
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-CBC", iv }, keys.encryption, ciphertext),
    );
  } catch {
    // Only reachable with a valid HMAC, i.e. a token made with this key but bad padding.
    throw new FernetError("malformed", "bad padding");
  }
}
