import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProtectedHeader } from "jose";
import { Sealer } from "./seal.ts";

const SECRET = "rvQEGPbNKKuWb1S-17FyeJdfqv1DwN7NQFv4Lccmk6c";
const OTHER = "awMMYNRM-JpJjOdWzkAcoGKUbjPwtbGY5tphEtDpm4g";

describe("Sealer", () => {
  it("opens what it sealed, with purpose, id and issue time", async () => {
    const sealer = new Sealer(SECRET, () => 1_700_000_000_000);
    const token = await sealer.seal("user_token", { email: "a@b.c" }, { ttl: 60 });
    assert.equal(token.split(".").length, 5);
    assert.ok(!token.includes("a@b.c"));
    const claims = await sealer.open("user_token", token);
    assert.equal(claims?.email, "a@b.c");
    assert.equal(claims?.pur, "user_token");
    assert.equal(claims?.iat, 1_700_000_000);
    assert.equal(claims?.exp, 1_700_000_060);
    assert.equal(typeof claims?.jti, "string");
  });

  it("does not open a value sealed for another purpose", async () => {
    const sealer = new Sealer(SECRET);
    const token = await sealer.seal("session", { email: "a@b.c" });
    assert.equal(await sealer.open("user_token", token), null);
    assert.ok(await sealer.open("session", token));
  });

  it("does not open tampered values, garbage, or values sealed under another key", async () => {
    const sealer = new Sealer(SECRET);
    const token = await sealer.seal("session", { email: "a@b.c" });
    const parts = token.split(".");
    const flipped = parts[3][0] === "A" ? "B" : "A";
    parts[3] = flipped + parts[3].slice(1);
    assert.equal(await sealer.open("session", parts.join(".")), null);
    assert.equal(await sealer.open("session", "garbage"), null);
    assert.equal(await sealer.open("session", "a.b.c.d.e"), null);
    assert.equal(await new Sealer(OTHER).open("session", token), null);
  });

  it("refuses expired values according to the clock", async () => {
    let now = 1_700_000_000_000;
    const sealer = new Sealer(SECRET, () => now);
    const token = await sealer.seal("login_state", {}, { ttl: 600 });
    now += 599_000;
    assert.ok(await sealer.open("login_state", token));
    now += 2_000;
    assert.equal(await sealer.open("login_state", token), null);
  });

  it("rotates keys: the first secret seals, all secrets open", async () => {
    const old = await new Sealer(OTHER).seal("session", { n: 1 });
    const rotated = new Sealer([SECRET, OTHER]);
    assert.equal((await rotated.open("session", old))?.n, 1);
    const fresh = await rotated.seal("session", { n: 2 });
    assert.equal((await new Sealer(SECRET).open("session", fresh))?.n, 2);
    assert.equal(await new Sealer(OTHER).open("session", fresh), null);
  });

  it("throws a TypeError naming secretKey when the secret is short or missing", () => {
    assert.throws(
      () => new Sealer("short"),
      /"secretKey" must be at least 16 .*generate one with: easy-oauth secret, or deno run -A jsr:@easy-oauth\/hono\/cli secret/,
    );
    assert.throws(() => new Sealer([]), /"secretKey"/);
  });
});

describe("Sealer and weak secrets", () => {
  it("refuses weak secrets (repeated, dictionary-like, one kind of character, under about 100 bits) and says how to make one", () => {
    for (
      const weak of [
        "passwordpassword",
        "0123456789abcdef0123456789abcdef",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "abcdefghijklmnopqrstuvwxyzabcdefghij",
        "change me: a long random string of 32+ characters",
        "a test secret of at least thirty-two characters",
        "Password1234567890!",
        "k3jd9fa0qlw8ertb",
        "correcthorsebatterystaplecorrecthorse",
        "12345678901234567890123456789012",
      ]
    ) {
      assert.throws(
        () => new Sealer([STRONG, weak]),
        /"secretKey" is too easy to guess.*easy-oauth secret.*deno task cli secret/,
        weak,
      );
    }
  });

  it("accepts random secrets: the upstream test configuration's 20 characters, and easy-oauth secret's", () => {
    for (
      const strong of [
        "5K20tAALrsnxBrCKXbot",
        "EY500Mhh2H_MuLObbJCk1aRqqQFuYRVjhcdAqUq64S8",
        "rvQEGPbNKKuWb1S-17FyeJdfqv1DwN7NQFv4Lccmk6c",
        "awMMYNRM-JpJjOdWzkAcoGKUbjPwtbGY5tphEtDpm4g",
        "E2WLPgV-XALZ5-S6X8MTsj9u5O_SQrBjxInUbeo2yr0",
        "z_Zd5P4tHRTqmixvtX96FfeomGeoiFuNfM7HK6LT4NU",
        "96mSGzQaPy8QJ_Cu8ZqjnN3kahxHx9VL8TBAnUpeXso",
        "3f9a1c7e0b8d2f4a6c1e9b7d5a3f0c2e8b6d4a1f9c7e5b3d1a0f8e6c4b2a9d7e",
      ]
    ) {
      assert.doesNotThrow(() => new Sealer(strong), strong);
    }
    for (let i = 0; i < 200; i++) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const secret = btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replaceAll("+", "-")
        .replaceAll("/", "_");
      assert.doesNotThrow(() => new Sealer(secret), secret);
    }
  });

  it("shows nothing derived from the secret: no key id in sealed values, and older values with one still open", async () => {
    const sealer = new Sealer(LEGACY_SECRET, () => 1_700_000_000_000);
    const token = await sealer.seal("session", { n: 1 });
    assert.equal(decodeProtectedHeader(token).kid, undefined);
    assert.equal((await sealer.open("session", LEGACY_TOKEN))?.n, 1);
    const rotated = new Sealer([STRONG, LEGACY_SECRET], () => 1_700_000_000_000);
    assert.equal((await rotated.open("session", LEGACY_TOKEN))?.n, 1);
    assert.equal((await rotated.open("session", token))?.n, 1);
  });
});

const STRONG = "EY500Mhh2H_MuLObbJCk1aRqqQFuYRVjhcdAqUq64S8";
const LEGACY_SECRET = "Qx7vN2pLr9TfW4kZbYh8Jm3sDc6Gg1Ae-seal";
/** Sealed by the version that put a key id (`kid`) in the header. */
const LEGACY_TOKEN =
  "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoidnQxNG1JTDB0VFUiLCJ0eXAiOiJzZXNzaW9uIn0..VTqqLOlliJ1ttzrH.6qFL9BEXREgINvi2aUxmcREsckaWoF3H1EcY3Gs4N0kSUOdkHUXSrO026dCuGmrhskwLc5qkCAMitXth8m94wbV1JM-ItGQ.RLBZMH9QNNVeCr6taZZX1A";
