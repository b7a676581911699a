import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { newRecord } from "./_accounts.ts";
import { holds, markMaker, takeOff } from "./_token_refs.ts";

const ANN = { email: "ann@example.com", sub: "sub-ann", iss: "https://idp.example.com" };
const NOW = 1_767_225_600_000;

/** A store holding grant "g" of ann, listing tokens t1 and t2, with a session. */
async function store(): Promise<MemoryTokenStore> {
  const store = new MemoryTokenStore({ clock: () => NOW });
  const refs = { sessionUntil: NOW + 3_600_000, tokens: ["t1", "t2"] };
  assert.ok(await store.putGrant(newRecord("g", ANN, "sealed", refs, NOW / 1000, 3600), 0));
  return store;
}

describe("the tokens a grant lists", () => {
  it("are held until taken off; a token taken off can no longer be noted as a maker", async () => {
    const s = await store();
    assert.equal(await holds(s, "g", "t1"), true);
    assert.equal(await holds(s, "g", "t3"), false);
    assert.equal(await holds(s, "nope", "t1"), false);
    assert.deepEqual(await takeOff(s, "g", { tokenId: "t1" }, NOW).then((r) => r.maker), false);
    assert.equal(await holds(s, "g", "t1"), false);
    assert.equal(await markMaker(s, "g", "t1"), false, "revoked first: the mint is refused");
    assert.equal((await s.getGrant("g"))?.data.makers, undefined);
  });

  it("tell the revocation of a token that made tokens, which is noted once", async () => {
    const s = await store();
    assert.equal(await markMaker(s, "g", "t2"), true);
    assert.equal(await markMaker(s, "g", "t2"), true);
    assert.deepEqual((await s.getGrant("g"))?.data.makers, ["t2"]);
    assert.equal((await takeOff(s, "g", { session: true }, NOW)).maker, false);
    const taken = await takeOff(s, "g", { tokenId: "t2" }, NOW);
    assert.equal(taken.maker, true);
    assert.equal(taken.record?.data.makers, undefined, "the note goes with the token");
    assert.equal(taken.ended, false, "t1 still refers to it");
    const last = await takeOff(s, "g", { tokenId: "t1" }, NOW);
    assert.equal(last.ended, true);
    assert.equal(await s.getGrant("g"), undefined, "nothing refers to it: dropped");
  });
});
