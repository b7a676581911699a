import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { decryptValue, encryptValue, isEncrypted } from "./serieux_crypt.ts";
import { base64UrlDecode, base64UrlEncode, fernetEncrypt, importFernetKey } from "./fernet.ts";
import { ConfigError } from "../errors.ts";

const VECTORS = new URL("../../testdata/serieux-fernet.json", import.meta.url);
const PASSWORD = "change_me!!1";
const CRYPT_PREFIX = "~CRYPT~";

interface Vector {
  password: string;
  value: unknown;
  encrypted: string;
}

async function vectors(): Promise<Vector[]> {
  return JSON.parse(await readFile(fileURLToPath(VECTORS), "utf8")).cases;
}

/** Runs a Python script, feeding it `input`; its stdout. */
function python(script: string, input: string): string {
  const run = spawnSync("python3", ["-c", script], { input, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return run.stdout;
}
const hasPythonCryptography =
  spawnSync("python3", ["-c", "import cryptography"], { encoding: "utf8" }).status === 0;
const noPython = hasPythonCryptography ? false : "python3 with cryptography is not installed";

// Reads [{password, encrypted, value}], writes [[plaintext, json.dumps(value)]].
const PY_DECRYPT = `
import base64, hashlib, json, sys
from cryptography.fernet import Fernet
out = []
for case in json.load(sys.stdin):
    key = base64.urlsafe_b64encode(hashlib.sha256(case["password"].encode()).digest())
    token = case["encrypted"][len("~CRYPT~"):].encode()
    out.append([Fernet(key).decrypt(token).decode(), json.dumps(case["value"])])
print(json.dumps(out))
`;

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a rejection");
}

describe("decryptValue()", () => {
  it("decrypts every vector made by Python's cryptography to its value", async () => {
    const cases = await vectors();
    assert.ok(cases.length >= 8);
    for (const c of cases) {
      assert.deepEqual(await decryptValue(c.encrypted, c.password), c.value);
    }
  });

  it("says wrong password when the HMAC does not match", async () => {
    const [first] = await vectors();
    const err = await rejection(decryptValue(first.encrypted, "not the password"));
    assert.match(err.message, /^wrong password/);
    assert.doesNotMatch(err.message, /5K20/);
  });

  it("says malformed when the token is not base64, truncated or not Fernet", async () => {
    const [first] = await vectors();
    const bad = [
      "~CRYPT~not base64!",
      first.encrypted.slice(0, 40),
      CRYPT_PREFIX + base64UrlEncode(new Uint8Array(80)),
      "no prefix",
    ];
    for (const text of bad) {
      const err = await rejection(decryptValue(text, PASSWORD));
      assert.match(err.message, /^malformed encrypted value/, text);
    }
  });

  it("says malformed when a token opens but holds no JSON", async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(PASSWORD));
    const keys = await importFernetKey(new Uint8Array(digest));
    const token = await fernetEncrypt(keys, new TextEncoder().encode("{not json"));
    const err = await rejection(decryptValue(CRYPT_PREFIX + token, PASSWORD));
    assert.equal(err.message, "malformed encrypted value: its plaintext is not JSON");
  });

  it("accepts a token whose base64 padding was dropped", async () => {
    const [first] = await vectors();
    assert.equal(
      await decryptValue(first.encrypted.replace(/=+$/, ""), first.password),
      first.value,
    );
  });
});

describe("encryptValue()", () => {
  it("makes values that decryptValue opens, with the vectors' scheme", async () => {
    for (const value of ["mock_client_id", "", "üñí©ødé ✓ 😀", 42, { a: [1, 2] }, null, true]) {
      const sealed = await encryptValue(value, PASSWORD);
      assert.ok(isEncrypted(sealed));
      const token = base64UrlDecode(sealed.slice(CRYPT_PREFIX.length));
      assert.equal(token?.[0], 0x80);
      assert.deepEqual(await decryptValue(sealed, PASSWORD), value);
    }
  });

  it("uses a fresh IV each time", async () => {
    assert.notEqual(await encryptValue("x", PASSWORD), await encryptValue("x", PASSWORD));
  });

  it("refuses an empty password and values JSON cannot hold", async () => {
    await assert.rejects(encryptValue("x", ""), { name: "TypeError", message: /"password"/ });
    await assert.rejects(encryptValue(undefined, PASSWORD), TypeError);
    await assert.rejects(encryptValue(NaN, PASSWORD), TypeError);
  });

  it("makes tokens that Python's cryptography decrypts to Python's json.dumps", {
    skip: noPython,
  }, async () => {
    const values = ["mock_client_id", "üñí©ødé ✓ 😀", { a: [1, 2.5], "b\n": null }, 42];
    const cases = await Promise.all(
      values.map(async (value) => ({
        password: PASSWORD,
        value,
        encrypted: await encryptValue(value, PASSWORD),
      })),
    );
    const pairs: [string, string][] = JSON.parse(python(PY_DECRYPT, JSON.stringify(cases)));
    assert.equal(pairs.length, values.length);
    for (const [plaintext, dumps] of pairs) assert.equal(plaintext, dumps);
  });

  it("builds the very token Python builds from the same time and IV", {
    skip: noPython,
  }, async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(PASSWORD));
    const keys = await importFernetKey(new Uint8Array(digest));
    const iv = new Uint8Array(16).map((_, i) => i * 7);
    const ours = await fernetEncrypt(keys, new TextEncoder().encode('"secret"'), 1700000000, iv);
    const theirs = python(
      `
import base64, hashlib
from cryptography.fernet import Fernet
f = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"${PASSWORD}").digest()))
print(f._encrypt_from_parts(b'"secret"', 1700000000, bytes(i * 7 for i in range(16))).decode())
`,
      "",
    );
    assert.equal(ours, theirs.trim());
  });
});

describe("isEncrypted()", () => {
  it("is true only for strings that start with ~CRYPT~", () => {
    assert.equal(isEncrypted("~CRYPT~abc"), true);
    assert.equal(isEncrypted("abc~CRYPT~"), false);
    assert.equal(isEncrypted(42), false);
    assert.equal(isEncrypted(undefined), false);
  });
});
