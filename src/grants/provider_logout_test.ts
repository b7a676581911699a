import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GrantEnded, Grants } from "./grants.ts";
import { loggedOut, logoutKey, logoutProbes } from "./provider_logout.ts";
import { OidcClient } from "../oidc/client.ts";
import { Sealer } from "../crypto/seal.ts";
import { Revocations } from "../credentials/revocations.ts";
import { BearerTokens, InvalidToken } from "../credentials/tokens.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { TestClock } from "../../testing/_fixtures.ts";
import { SESSION_TTL } from "../credentials/session.ts";

const ISS = "https://idp.example.com";
const ANN = { email: "ann@example.com", sub: "sub-ann", iss: ISS };

/**
 * One process's grants, revocations and tokens over `store`. Every grant is
 * made checked for an hour, so that nothing asks the provider (it is not there).
 */
function replica(store: MemoryTokenStore, clock: TestClock) {
  const sealer = new Sealer("Aokgpg9eL9aZui0RfSclEY8pZPaA2BqmqyZS23BMB5o", clock.read);
  const oidc = new OidcClient({
    serverMetadataUrl: `${ISS}/.well-known/openid-configuration`,
    clientId: "app",
    fetch: () => Promise.reject(new Error("no provider in this test")),
    clock: clock.read,
  });
  const revocations = new Revocations(store, clock.read);
  const grants = new Grants(
    store,
    sealer,
    clock.read,
    oidc,
    (login) => loggedOut(revocations, logoutProbes(login)),
  );
  const tokens = new BearerTokens(sealer, clock.read, revocations);
  tokens.registerUserTokens(grants);
  return { grants, revocations, tokens };
}

async function loginGrant(
  grants: Grants,
  clock: TestClock,
  refs: { offline?: boolean; sid?: string; tokens?: string[] },
): Promise<string> {
  return await grants.create(ANN, { rt: "rt" }, {
    sessionUntil: clock.now + 3_600_000,
    tokens: [],
    checkedUntil: clock.now + 3_600_000,
    ...refs,
  }, 3600);
}

describe("back-channel logout of grants and of the tokens minted from them", () => {
  it("ends a plain login's grant named by its sid, on another replica too once its revocations caught up, cached answers included", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const [a, b] = [replica(store, clock), replica(store, clock)];
    const gid = await loginGrant(a.grants, clock, { sid: "sid-1" });
    await a.grants.validate(gid);
    await b.grants.validate(gid);
    clock.advance(1);
    await a.revocations.revokeAccount(logoutKey("sid", ISS, "sid-1"));
    await b.revocations.ready();
    await assert.rejects(b.grants.validate(gid), GrantEnded);
    assert.equal(await a.grants.live(gid), undefined);
    assert.equal((await store.getGrant(gid))?.data.dead, true, "marked dead in the shared record");
  });

  it("refuses a cached user token whose plain grant a back-channel logout ended", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const { grants, revocations, tokens } = replica(store, clock);
    const gid = await loginGrant(grants, clock, { sid: "sid-1", tokens: ["jti-1"] });
    const token = await tokens.issueUserToken(ANN, gid, "jti-1");
    assert.equal((await tokens.resolve(token)).email, ANN.email);
    assert.ok(tokens.peek(token), "cached");
    clock.advance(1);
    await revocations.revokeAccount(logoutKey("sub", ISS, ANN.sub));
    assert.equal(tokens.peek(token), undefined);
    await assert.rejects(tokens.resolve(token), InvalidToken);
  });

  it("leaves an offline login's grant and its tokens alone (Back-Channel Logout 1.0 §2.7)", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const { grants, revocations, tokens } = replica(store, clock);
    const gid = await loginGrant(grants, clock, { sid: "sid-1", offline: true, tokens: ["jti-1"] });
    const token = await tokens.issueUserToken(ANN, gid, "jti-1");
    clock.advance(1);
    await revocations.revokeAccount(logoutKey("sid", ISS, "sid-1"));
    await revocations.revokeAccount(logoutKey("sub", ISS, ANN.sub));
    assert.equal((await tokens.resolve(token)).email, ANN.email);
    assert.ok(await grants.live(gid));
  });

  it("leaves logins made after the logout alone", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const { grants, revocations } = replica(store, clock);
    await revocations.revokeAccount(logoutKey("sub", ISS, ANN.sub));
    clock.advance(1);
    const gid = await loginGrant(grants, clock, { sid: "sid-2" });
    assert.ok(await grants.live(gid));
    await grants.validate(gid);
  });

  it("matches a logout naming a sid to the person's logins that recorded no sid", () => {
    const probes = logoutProbes({ iss: ISS, sub: ANN.sub, since: 10 });
    assert.ok(probes.some((p) => p.email === logoutKey("sub-without-sid", ISS, ANN.sub)));
    // No account name has a space: a logout key never revokes an account.
    assert.match(logoutKey("sid", ISS, "x"), /\s/);
  });
});

describe("the revocations a back-channel logout leaves", () => {
  it("are dropped once the sessions they end have expired, while account revocations stay", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const revocations = new Revocations(store, clock.read);
    const key = logoutKey("sid", ISS, "sid-1");
    const at = Math.floor(clock.now / 1000);
    await revocations.revokeAccount(key);
    await revocations.revokeAccount(ANN.email);
    // The store is told when to forget it: with the sessions it ends.
    const { changes } = await store.changesSince();
    const row = changes.find((c) => c.kind === "revoke_account" && c.email === key);
    assert.deepEqual(row, {
      kind: "revoke_account",
      email: key,
      before: at,
      until: (at + SESSION_TTL) * 1000,
    });
    assert.ok(revocations.isRevoked({ email: key, issuedAt: at }));

    clock.advance(SESSION_TTL + 1);
    const later = new Revocations(store, clock.read);
    await later.ready();
    assert.equal(later.isRevoked({ email: key, issuedAt: at }), false);
    assert.ok(later.isRevoked({ email: ANN.email, issuedAt: at }));
    const kept = (await store.changesSince()).changes.flatMap((c) =>
      c.kind === "revoke_account" ? [c.email] : []
    );
    assert.deepEqual(kept, [ANN.email]);
  });
});
