// What one account can leave behind by revoking its own tokens is bounded
// (issue 18, item 4): a revoked user token is refused because its grant no
// longer lists it, and the shared state keeps one mark per login (for a day,
// while other replicas may hold a cached answer), not one entry per token for
// a year. A token that made tokens keeps its entry until it expires: those
// tokens are checked against it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  apiToken,
  DAY,
  example,
  login,
  replica,
  revoke,
  revokedIds,
  status,
} from "./_test_util.ts";

for (const kind of ["memory", "sqlite"] as const) {
  describe(`revoking one's own tokens (${kind} store)`, () => {
    it("150 times from one login leaves one entry, not 150, and every one stays refused", async () => {
      const { ex, store, open } = await example(kind);
      await using _ = ex;
      const ann = await login(ex, "ann@example.com");
      const revoked: string[] = [];
      for (let i = 0; i < 150; i++) {
        const token = await ann.mint();
        assert.equal(await status(ex, "/read", token), 200);
        await revoke(ex, token);
        revoked.push(token);
      }
      assert.ok(
        (await revokedIds(store)).length <= 1,
        `${(await revokedIds(store)).length} entries`,
      );
      for (const token of revoked.slice(-20)) assert.equal(await status(ex, "/read", token), 401);
      ex.clock.advance(2 * DAY);
      await store.revokeId("sweep", ex.clock.read() + 1_000);
      assert.deepEqual(await revokedIds(store), ["sweep"], "the mark ends after a day");
      for (const token of revoked.slice(-20)) assert.equal(await status(ex, "/read", token), 401);
      const other = replica(ex, open());
      assert.equal(await status(ex, "/read", revoked[0], other), 401, "a replica started later");
      // Revoked again once their login is over and its record gone: nothing kept for a year.
      await revoke(ex, ann.first);
      await ann.browser.post("/logout");
      assert.deepEqual(await store.grantsOf("ann@example.com"), [], "the record is gone");
      const again = await (await login(ex, "ann@example.com")).mint();
      for (const token of revoked.slice(0, 50)) await revoke(ex, token, again);
      const ids = (await revokedIds(store)).filter((id) => !id.startsWith("grant:"));
      assert.equal(ids.length, 2, `${ids.length}: the sweep's, and the ended session's`);
      assert.equal(await status(ex, "/read", again), 200);
    });

    it("is seen at once by a replica that cached the token, and leaves its siblings", async () => {
      const { ex, open } = await example(kind);
      await using _ = ex;
      const other = replica(ex, open());
      const ann = await login(ex, "ann@example.com");
      const [first, second] = [await ann.mint(), await ann.mint()];
      assert.equal(await status(ex, "/read", first, other), 200);
      assert.equal(await status(ex, "/read", second, other), 200);
      await revoke(ex, first);
      assert.equal(await status(ex, "/read", first, other), 401);
      assert.equal(await status(ex, "/read", second, other), 200);
      ex.clock.advance(2 * DAY);
      assert.equal(await status(ex, "/read", first, other), 401);
      assert.equal(await status(ex, "/read", second, other), 200);
    });

    it("keeps a token that made tokens revoked for as long as it would have lived", async () => {
      const { ex, open } = await example(kind);
      await using _ = ex;
      const max = await login(ex, "max@example.com");
      const maker = await max.mint();
      const child = await apiToken(ex, maker);
      assert.equal(await status(ex, "/write", child), 200);
      await revoke(ex, maker);
      assert.equal(await status(ex, "/write", child), 401);
      ex.clock.advance(10 * DAY);
      assert.equal(await status(ex, "/write", child), 401);
      assert.equal(await status(ex, "/write", child, replica(ex, open())), 401);
    });
  });
}

describe("revoking a token revoked before", () => {
  it("writes nothing: no log entry, no new version of its grant", async () => {
    const { ex, store } = await example("memory");
    await using _ = ex;
    const ann = await login(ex, "ann@example.com");
    const stolen = await ann.mint();
    await revoke(ex, stolen, ann.first);
    const { revision } = await store.changesSince();
    const [grant] = await store.grantsOf("ann@example.com");
    for (let i = 0; i < 50; i++) await revoke(ex, stolen, ann.first);
    assert.deepEqual((await store.changesSince(revision)).changes, []);
    assert.equal((await store.getGrant(grant!.id))?.version, grant!.version);
    assert.equal(await status(ex, "/read", stolen), 401);
  });
});
