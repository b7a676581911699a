import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { estimateBits, MIN_SECRET_BITS, secretWeakness } from "./secret_strength.ts";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A seeded generator (xorshift32): the same secrets on every run, so that the
 * test cannot flake on the rare random secret the estimator refuses.
 */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function random(length: number, alphabet: string, next: () => number): string {
  let out = "";
  while (out.length < length) out += alphabet[next() % alphabet.length];
  return out;
}

describe("secretWeakness()", () => {
  it("accepts 2,000 random 20-character alphanumeric secrets, as the upstream package's tests use", () => {
    const next = seeded(20260101);
    for (let i = 0; i < 2000; i++) {
      const secret = random(20, ALPHANUMERIC, next);
      assert.equal(secretWeakness(secret), undefined, secret);
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

  it("refuses secrets made of runs, steps, keyboard rows and repeated blocks, wherever they sit", () => {
    for (
      const weak of [
        "qwertyuiopasdfghjklzxcvbnm1234567890",
        "00000000-0000-0000-0000-000000000001",
        "a".repeat(20) + "b".repeat(20) + "1".repeat(20),
        "1234567890".repeat(4) + "a",
        "a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6b7b8b9b0",
        "x".repeat(71) + "y".repeat(40) + "1",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!",
        "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210",
        "my-app-secret-key-2024-production-v1",
      ]
    ) {
      assert.match(secretWeakness(weak) ?? "accepted", /under 96|single kind/, weak);
    }
  });

  it("accepts the upstream configuration's 20 characters and easy-oauth secret's output", () => {
    for (
      const strong of [
        "5K20tAALrsnxBrCKXbot",
        "EY500Mhh2H_MuLObbJCk1aRqqQFuYRVjhcdAqUq64S8",
        "3f9a1c7e0b8d2f4a6c1e9b7d5a3f0c2e8b6d4a1f9c7e5b3d1a0f8e6c4b2a9d7e",
      ]
    ) {
      assert.ok(estimateBits(strong) >= MIN_SECRET_BITS, strong);
    }
  });
});
