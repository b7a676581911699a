import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  addressBucket,
  HEADLESS_TTL,
  HeadlessLogins,
  MAX_PAIRINGS,
  type Pairing,
} from "./headless_logins.ts";

function created(pairings: HeadlessLogins, address?: string): Pairing {
  const p = pairings.create(address === undefined ? {} : { address });
  assert.ok("id" in p, "started");
  return p;
}

describe("HeadlessLogins", () => {
  it("moves a pairing new → opened → confirmed → done, each step once, with its own secret", () => {
    const pairings = new HeadlessLogins(() => 0);
    const p = created(pairings);
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
    const p = created(pairings);
    now += HEADLESS_TTL * 1000;
    assert.equal(pairings.get(p.id), undefined);
    assert.equal(pairings.open(p.id, p.loginCode), undefined);
  });

  it("keeps at most 10,000 pairings, refusing new ones rather than dropping any", () => {
    let now = 0;
    const pairings = new HeadlessLogins(() => now);
    const first = created(pairings);
    for (let i = 1; i < MAX_PAIRINGS; i++) created(pairings);
    now += 1000;
    assert.deepEqual(pairings.create(), { retryAfter: HEADLESS_TTL - 1, scope: "all" });
    assert.equal(pairings.get(first.id)?.id, first.id, "the oldest is kept");
    now = HEADLESS_TTL * 1000;
    assert.ok("id" in pairings.create(), "room again once the oldest expired");
  });

  it("counts IPv4 addresses as they are and IPv6 addresses by their /64", () => {
    assert.equal(addressBucket("192.0.2.1"), "192.0.2.1");
    assert.equal(addressBucket("::ffff:192.0.2.1"), "192.0.2.1");
    assert.equal(addressBucket("2001:db8:0:1::5"), "2001:db8:0:1::/64");
    assert.equal(addressBucket("[2001:DB8:0:1:ffff::9]"), "2001:db8:0:1::/64");
    assert.equal(addressBucket("::1"), "0:0:0:0::/64");
  });
});
