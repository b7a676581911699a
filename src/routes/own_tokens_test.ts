// Self-service revocation: a user lists and revokes her own tokens without
// user_management (issue 18, item 6).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

const USERS = "ann@example.com: [read]\nbob@example.com: [read]\n";

describe("a user's own tokens", () => {
  it("are listed at GET /token/mine and revoked one by id, without user_management", async () => {
    await using ex = await startExample({ users: USERS });
    const first = await ex.tester.client("ann@example.com");
    const second = await ex.tester.client("ann@example.com");
    const bob = await ex.tester.client("bob@example.com");
    const mine = (await first.get("/token/mine")).json<
      { email: string; tokens: { id: string; kind: string; expires_at: number }[] }
    >();
    assert.equal(mine.email, "ann@example.com");
    assert.equal(mine.tokens.length, 2);
    assert.ok(mine.tokens.every((t) => t.kind === "user" && t.expires_at > ex.clock.now / 1000));
    assert.ok(!JSON.stringify(mine).includes(first.token!), "ids only, never a token");
    const read = async (token: string) => {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.body?.cancel();
      return res.status;
    };
    const bobsId = (await bob.get("/token/mine")).json<{ tokens: { id: string }[] }>().tokens[0].id;
    const notHers = await first.post("/token/revoke", { id: bobsId }, { expect: 404 });
    assert.equal(notHers.json<{ error: string }>().error, "not_found");
    assert.equal(await read(bob.token!), 200, "another's token is untouched");
    // Which id is the second token's: the one that, revoked, stops it.
    const ids = mine.tokens.map((t) => t.id);
    await first.post("/token/revoke", { id: ids[0] });
    const [a, b] = [await read(first.token!), await read(second.token!)];
    assert.deepEqual([a, b].sort(), [200, 401], "exactly one of the two is revoked");
    const left = (await (a === 200 ? first : second).get("/token/mine")).json<
      { tokens: { id: string }[] }
    >();
    assert.deepEqual(left.tokens.map((t) => t.id), [ids[1]]);
  });

  it("are revoked all at once by POST /token/revoke {user: her own email}, and only hers", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    const other = await ex.tester.client("ann@example.com");
    const bob = await ex.tester.client("bob@example.com");
    const refused = await ann.post("/token/revoke", { user: "bob@example.com" }, { expect: 403 });
    assert.equal(refused.json<{ error: string }>().error, "forbidden");
    await ann.post("/token/revoke", { user: "ann@example.com" });
    for (const client of [ann, other]) {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${client.token}` },
      });
      await res.body?.cancel();
      assert.equal(res.status, 401);
    }
    const bobs = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    assert.equal(await bobs.text(), "read by bob@example.com");
  });
});
