import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../testing/_fixtures.ts";

function countingFetch(counts: Map<string, number>): typeof fetch {
  return (input, init) => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    return fetch(input, init);
  };
}

describe("OAuthManager bearer tokens", () => {
  it("lets a user log in through /token and use the bearer token", async () => {
    await using ex = await startExample({ users: "ann@example.com: [write]\n" });
    const guest = await ex.tester.client();
    await guest.get("/read", {}, { expect: 401 });
    const ann = await ex.tester.client("ann@example.com");
    assert.equal((await ann.get("/read")).text, "read by ann@example.com");
    assert.equal((await ann.get("/write")).text, "written by ann@example.com");
    await ann.get("/shout", { message: "hi" }, { expect: 403 });
  });

  it("answers 401 invalid_token for garbage and tampered tokens, never 500", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    const token = (await ex.tester.client("ann@example.com")).token!;
    const parts = token.split(".");
    parts[3] = (parts[3][0] === "A" ? "B" : "A") + parts[3].slice(1);
    const swapped = [...token.split(".").slice(0, 3), parts[3], token.split(".")[4]].join(".");
    for (const bad of ["garbage", parts.join("."), swapped, "a.b.c.d.e", "x".repeat(9000)]) {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${bad}` },
      });
      assert.equal(res.status, 401, bad.slice(0, 20));
      assert.match(res.headers.get("www-authenticate")!, /^Bearer error="invalid_token"/);
      assert.equal((await res.json()).error, "invalid_token");
    }
    const basic = await fetch(`${ex.tester.url}/read`, { headers: { authorization: "Basic abc" } });
    assert.equal(basic.status, 401);
    await basic.body?.cancel();
  });

  it("refuses a token sealed under another secret", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await using other = await startExample({
      secretKey: "zWMCMTCPLfkby1Yld-vj7NKj7p9tJREQ8BgXwZioTRE",
      users: "ann@example.com: [read]\n",
    });
    const token = (await other.tester.client("ann@example.com")).token!;
    const res = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });

  it("accepts the Bearer scheme in any case", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    const token = (await ex.tester.client("ann@example.com")).token!;
    const res = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `bEaReR ${token}` },
    });
    assert.equal(await res.text(), "read by ann@example.com");
  });

  it("answers 401 once the provider refuses the refresh token, after the cached answer expires", async () => {
    const refreshTokens: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(input instanceof Request ? input.url : input).pathname === "/oauth2/token") {
        const body = await res.clone().json();
        if (body.refresh_token) refreshTokens.push(body.refresh_token);
      }
      return res;
    };
    await using ex = await startExample({ users: "ann@example.com: [read]\n", fetch: spy });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    assert.equal(refreshTokens.length, 1);
    const revoked = await fetch(`${ex.mock.url}/oauth2/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refreshTokens[0], client_id: "example-client" }),
    });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();
    await ann.get("/read"); // still cached: no provider call on the hot path
    ex.clock.advance(3601);
    const res = await ann.get("/read", {}, { expect: 401 });
    assert.equal(res.json<{ error: string }>().error, "invalid_token");
  });

  it("works again after the provider's expiry, through a refresh", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    ex.clock.advance(2 * 3600);
    assert.equal((await ann.get("/read")).text, "read by ann@example.com");
  });

  it("caches a token until the provider's expiry, then refreshes it once for concurrent requests", async () => {
    const counts = new Map<string, number>();
    await using ex = await startExample({
      users: "ann@example.com: [read]\n",
      fetch: countingFetch(counts),
    });
    const ann = await ex.tester.client("ann@example.com");
    await Promise.all(Array.from({ length: 5 }, () => ann.get("/read")));
    assert.equal(counts.get("/oauth2/token"), 1, "one code exchange, whose answer is remembered");
    ex.clock.advance(3000);
    await ann.get("/read");
    assert.equal(counts.get("/oauth2/token"), 1, "still cached");
    ex.clock.advance(700);
    await Promise.all(Array.from({ length: 5 }, () => ann.get("/read")));
    assert.equal(counts.get("/oauth2/token"), 2, "one coalesced refresh after expiry");
  });
});
