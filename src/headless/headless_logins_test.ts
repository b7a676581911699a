import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HEADLESS_TTL, HeadlessLogins } from "./headless_logins.ts";

describe("HeadlessLogins", () => {
  it("moves a pairing new → opened → confirmed → done, each step once, with its own secret", () => {
    const pairings = new HeadlessLogins(() => 0);
    const p = pairings.create();
    assert.match(p.userCode, /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
    assert.equal(pairings.open(p.id, "wrong"), undefined);
    assert.equal(pairings.open(p.id, p.loginCode)?.status, "opened");
    assert.equal(pairings.open(p.id, p.loginCode), undefined, "the login code works once");
    assert.equal(pairings.confirm(p.id, "wrong"), undefined);
    const key = p.confirmKey!;
    assert.equal(pairings.confirm(p.id, key)?.status, "confirmed");
    assert.equal(pairings.confirm(p.id, key), undefined, "the confirm key works once");
    assert.equal(pairings.holds(p, p.pollKey), true);
    assert.equal(pairings.holds(p, undefined), false);
    assert.equal(pairings.complete(p.id, "token", "ann@example.com"), true);
    assert.equal(pairings.complete(p.id, "other", "eve@example.com"), false, "completed once");
    assert.equal(pairings.get(p.id)?.token, "token");
  });

  it("forgets pairings once they expire", () => {
    let now = 0;
    const pairings = new HeadlessLogins(() => now);
    const p = pairings.create();
    now += HEADLESS_TTL * 1000;
    assert.equal(pairings.get(p.id), undefined);
    assert.equal(pairings.open(p.id, p.loginCode), undefined);
  });

  it("keeps at most 10,000 pairings, dropping the oldest", () => {
    const pairings = new HeadlessLogins(() => 0);
    const first = pairings.create();
    for (let i = 0; i < 10_000; i++) pairings.create();
    assert.equal(pairings.get(first.id), undefined);
  });
});
