import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CODE_TTL_MS,
  type CodeGrant,
  GrantStore,
  MAX_ENTRIES,
  type TokenGrant,
} from "./_grants.ts";

const identity = {
  email: "a@b.c",
  sub: "s",
  name: "A",
  given_name: "A",
  family_name: "",
  picture: "https://example.com/a.png",
};
const code: CodeGrant = {
  clientId: "c",
  redirectUri: "http://localhost/cb",
  scope: "openid",
  identity,
  authTime: 0,
  offline: false,
};
const grant = (grantId: string): TokenGrant => ({
  clientId: "c",
  scope: "openid",
  identity,
  authTime: 0,
  grantId,
});

describe("GrantStore", () => {
  it("issues distinct 32-byte base64url codes", () => {
    const store = new GrantStore(() => 0);
    const a = store.issueCode(code);
    const b = store.issueCode(code);
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  });

  it("redeems a code once, and refuses it after CODE_TTL_MS", () => {
    let now = 0;
    const store = new GrantStore(() => now);
    const fresh = store.issueCode(code);
    assert.equal(store.redeemCode(fresh).ok, true);
    assert.deepEqual(store.redeemCode(fresh), { ok: false, reason: "reused" });
    const late = store.issueCode(code);
    now += CODE_TTL_MS;
    assert.deepEqual(store.redeemCode(late), { ok: false, reason: "expired" });
    assert.deepEqual(store.redeemCode("nope"), { ok: false, reason: "unknown" });
  });

  it("revokes the tokens of a code that is redeemed twice", () => {
    const store = new GrantStore(() => 0);
    const c = store.issueCode(code);
    const redeemed = store.redeemCode(c);
    assert.ok(redeemed.ok);
    const refresh = store.issueRefreshToken(grant(redeemed.grantId));
    const access = store.issueAccessToken(grant(redeemed.grantId), 1000);
    store.redeemCode(c);
    assert.equal(store.refreshToken(refresh), undefined);
    assert.equal(store.accessToken(access), undefined);
  });

  it("revoking a refresh token revokes the access tokens of its grant only", () => {
    const store = new GrantStore(() => 0);
    const refresh = store.issueRefreshToken(grant("g1"));
    const sibling = store.issueAccessToken(grant("g1"), 1000);
    const other = store.issueAccessToken(grant("g2"), 1000);
    store.revoke(refresh);
    assert.equal(store.refreshToken(refresh), undefined);
    assert.equal(store.accessToken(sibling), undefined);
    assert.equal(store.accessToken(other)?.grantId, "g2");
  });

  it("prunes expired entries when issuing new ones", () => {
    let now = 0;
    const store = new GrantStore(() => now);
    for (let i = 0; i < 50; i++) {
      store.issueCode(code);
      store.issueAccessToken(grant("g"), 1000);
    }
    now += CODE_TTL_MS;
    store.issueCode(code);
    store.issueAccessToken(grant("g"), 1000);
    assert.deepEqual(store.size, { codes: 1, refresh: 0, access: 1 });
  });

  it("keeps at most MAX_ENTRIES refresh tokens, dropping the oldest", () => {
    const store = new GrantStore(() => 0);
    const first = store.issueRefreshToken(grant("g"));
    for (let i = 0; i < MAX_ENTRIES; i++) store.issueRefreshToken(grant("g"));
    assert.equal(store.size.refresh, MAX_ENTRIES);
    assert.equal(store.refreshToken(first), undefined);
  });
});
