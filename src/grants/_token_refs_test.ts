import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import type { TokenStore } from "../stores/token_store.ts";
import { newRecord } from "./_accounts.ts";
import { keepMakers, listing, markMaker, takeOff } from "./_token_refs.ts";

const ANN = { email: "ann@example.com", sub: "sub-ann", iss: "https://idp.example.com" };
const NOW = 1_767_225_600_000;
const KEEP = NOW + 86_400_000;

/** A store holding grant "g" of ann, listing tokens t1 and t2, with a session. */
async function store(): Promise<MemoryTokenStore> {
  const store = new MemoryTokenStore({ clock: () => NOW });
  const refs = { sessionUntil: NOW + 3_600_000, tokens: ["t1", "t2"] };
  assert.ok(await store.putGrant(newRecord("g", ANN, "sealed", refs, NOW / 1000, 3600), 0));
  return store;
}

/** The ids the store holds revoked, and until when. */
async function revoked(store: TokenStore): Promise<Record<string, number>> {
  const { changes } = await store.changesSince();
  return Object.fromEntries(
    changes.flatMap((c) => c.kind === "revoke_id" ? [[c.id, c.until]] : []),
  );
}

describe("the tokens a grant lists", () => {
  it("are held until taken off, which writes no revoked id; one taken off can no longer be noted as a maker", async () => {
    const s = await store();
    assert.equal(await listing(s, "g", "t1"), "live");
    assert.equal(await listing(s, "g", "t3"), "absent");
    assert.equal(await listing(s, "nope", "t1"), "absent");
    await takeOff(s, "g", { tokenId: "t1", keepUntil: KEEP }, NOW);
    assert.equal(await listing(s, "g", "t1"), "absent");
    const { version } = (await s.getGrant("g"))!;
    await takeOff(s, "g", { tokenId: "t1", keepUntil: KEEP }, NOW);
    assert.equal((await s.getGrant("g"))?.version, version, "taken off again: nothing written");
    assert.deepEqual(await revoked(s), {});
    assert.equal(await markMaker(s, "g", "t1"), false, "revoked first: the mint is refused");
    assert.equal((await s.getGrant("g"))?.data.makers, undefined);
  });

  it("keep a maker's id revoked, written before it is taken off: a failed write leaves it listed", async () => {
    const s = await store();
    assert.equal(await markMaker(s, "g", "t2"), true);
    assert.equal(await markMaker(s, "g", "t2"), true);
    assert.deepEqual((await s.getGrant("g"))?.data.makers, ["t2"]);
    await takeOff(s, "g", { session: true }, NOW);
    assert.deepEqual(await revoked(s), {}, "the session is no maker");
    const revokeId = s.revokeId.bind(s);
    s.revokeId = () => Promise.reject(new Error("the store is down"));
    await assert.rejects(takeOff(s, "g", { tokenId: "t2", keepUntil: KEEP }, NOW), /down/);
    assert.equal(
      await listing(s, "g", "t2"),
      "live",
      "still listed, still a maker: a retry finds it",
    );
    s.revokeId = revokeId;
    const taken = await takeOff(s, "g", { tokenId: "t2", keepUntil: KEEP }, NOW);
    assert.deepEqual(await revoked(s), { t2: KEEP });
    assert.equal(taken.record?.data.makers, undefined, "the note goes with the token");
    assert.equal(taken.ended, false, "t1 still refers to it");
    const last = await takeOff(s, "g", { tokenId: "t1", keepUntil: KEEP }, NOW);
    assert.equal(last.ended, true);
    assert.equal(await s.getGrant("g"), undefined, "nothing refers to it: dropped");
  });

  it("keep the makers of a record dropped while it lists them", async () => {
    const s = await store();
    await markMaker(s, "g", "t1");
    await keepMakers(s, (await s.getGrant("g"))!);
    assert.deepEqual(await revoked(s), { t1: (NOW / 1000 + 3600) * 1000 });
  });

  it("of a dead grant are taken off too, and it stays dead", async () => {
    const s = await store();
    const record = (await s.getGrant("g"))!;
    assert.ok(await s.putGrant({ ...record, version: 2, data: { ...record.data, dead: true } }, 1));
    assert.equal(await listing(s, "g", "t1"), "dead");
    const taken = await takeOff(s, "g", { tokenId: "t1", keepUntil: KEEP }, NOW);
    assert.deepEqual([taken.ended, taken.record?.data.dead], [false, true]);
    assert.equal(await listing(s, "g", "t1"), "absent");
  });
});
