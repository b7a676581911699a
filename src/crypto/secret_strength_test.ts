import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { estimateBits, MIN_SECRET_BITS, secretWeakness } from "./secret_strength.ts";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function random(length: number, alphabet: string): string {
  // 248 is the largest multiple of 62 under 256: no bias.
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length))) {
      if (byte < 248 && out.length < length) out.push(alphabet[byte % alphabet.length]);
    }
  }
  return out.join("");
}

describe("secretWeakness()", () => {
  it("accepts 2,000 random 20-character alphanumeric secrets, as the upstream package's tests use", () => {
    for (let i = 0; i < 2000; i++) {
      const secret = random(20, ALPHANUMERIC);
      // About 3 in 100,000 read like words and are refused: rarer than this test can see.
      if (estimateBits(secret) >= MIN_SECRET_BITS) continue;
      assert.match(secret, /[a-z]{3,}.*[a-z]{3,}/, `${secret} refused without looking like words`);
    }
  });

  it("counts a sentence as words, a repeated secret once, and sequences as next to nothing", () => {
    assert.ok(estimateBits("a test secret of at least thirty-two characters") < 90);
    assert.equal(
      Math.round(estimateBits("Xq7#Xq7#Xq7#Xq7#")),
      Math.round(estimateBits("Xq7#") + 2),
    );
    assert.ok(estimateBits("abcdefghijklmnop1234567890") < 30);
    assert.match(secretWeakness("ALLCAPSANDNOTHINGELSEATALLHERE")!, /single kind of character/);
    assert.equal(secretWeakness("EY500Mhh2H_MuLObbJCk1aRqqQFuYRVjhcdAqUq64S8"), undefined);
  });
});
