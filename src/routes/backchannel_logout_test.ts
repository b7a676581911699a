import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, type JWTPayload } from "jose";
import { type Example, startExample, TestClock } from "../../testing/_fixtures.ts";
import { type Forger, forger } from "../../testing/_forger.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { StoreUnavailable } from "../errors.ts";

const EVENT = "http://schemas.openid.net/event/backchannel-logout";

interface Setup {
  ex: Example;
  forged: Forger;
  /** The claims of a valid logout token for `sid`/`sub` now. */
  claims(extra?: JWTPayload): JWTPayload;
}

/** A store whose next logout write fails, as a busy database's would. */
class FlakyStore extends MemoryTokenStore {
  failNext = false;
  override revokeAccount(email: string, before: number, until: number): Promise<void> {
    if (this.failNext && email.startsWith("logout ")) {
      this.failNext = false;
      return Promise.reject(new StoreUnavailable("busy"));
    }
    return super.revokeAccount(email, before, until);
  }
}

async function setUp(tokenStore?: MemoryTokenStore): Promise<Setup> {
  const forged = await forger();
  const ex = await startExample({ fetch: forged.fetch, ...tokenStore && { tokenStore } });
  const claims = (extra: JWTPayload = {}): JWTPayload => ({
    iss: ex.mock.url,
    aud: "example-client",
    iat: Math.floor(ex.clock.now / 1000),
    jti: crypto.randomUUID(),
    events: { [EVENT]: {} },
    ...extra,
  });
  return { ex, forged, claims };
}

/** A browser logged in as ann, whose ID token carries `sid`. */
async function session(s: Setup, sid: string): Promise<string> {
  s.forged.set((c) => ({ ...c, sub: "sub-ann", sid }));
  await s.ex.mock.setEmail("ann@example.com");
  const browser = s.ex.tester.browser();
  await browser.get("/login");
  return [...browser.cookies(s.ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
}

async function hello(s: Setup, cookie: string): Promise<string> {
  return await (await fetch(`${s.ex.tester.url}/hello`, { headers: { cookie } })).text();
}

async function post(s: Setup, token: string, type = "application/x-www-form-urlencoded") {
  const res = await fetch(`${s.ex.tester.url}/backchannel_logout`, {
    method: "POST",
    headers: { "content-type": type },
    body: new URLSearchParams({ logout_token: token }),
  });
  const text = await res.text();
  return { status: res.status, cache: res.headers.get("cache-control"), text };
}

describe("POST /backchannel_logout (OpenID Connect Back-Channel Logout 1.0)", () => {
  it("ends the session whose sid the logout token names, and no other, answering 200 no-store", async () => {
    const s = await setUp();
    await using _ = s.ex;
    const first = await session(s, "sid-1");
    const second = await session(s, "sid-2");
    assert.equal(await hello(s, first), "hello ann@example.com");
    const res = await post(s, await s.forged.sign(s.claims({ sid: "sid-1", sub: "sub-ann" })));
    assert.deepEqual([res.status, res.cache], [200, "no-store"]);
    assert.equal(await hello(s, first), "hello guest");
    assert.equal(await hello(s, second), "hello ann@example.com");
    assert.ok(s.ex.logs.some((l) => /back-channel logout/.test(l)), s.ex.logs.join("\n"));
  });

  it("ends every session of the person when the logout token names only a sub; a later login works", async () => {
    const s = await setUp();
    await using _ = s.ex;
    const sessions = [await session(s, "sid-1"), await session(s, "sid-2")];
    assert.equal((await post(s, await s.forged.sign(s.claims({ sub: "sub-ann" })))).status, 200);
    for (const cookie of sessions) assert.equal(await hello(s, cookie), "hello guest");
    s.ex.clock.advance(1);
    assert.equal(await hello(s, await session(s, "sid-3")), "hello ann@example.com");
  });

  it("keeps the token of an offline login working: offline grants outlive the session (§2.7)", async () => {
    const s = await setUp();
    await using _ = s.ex;
    s.forged.set((c) => ({ ...c, sub: "sub-ann", sid: "sid-1" }));
    await s.ex.mock.setEmail("ann@example.com");
    const browser = s.ex.tester.browser();
    const token = (await browser.get("/token")).json<{ refresh_token: string }>().refresh_token;
    assert.equal((await post(s, await s.forged.sign(s.claims({ sid: "sid-1" })))).status, 200);
    const cookie = [...browser.cookies(s.ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
    assert.equal(await hello(s, cookie), "hello guest");
    s.ex.clock.advance(3700);
    const res = await fetch(`${s.ex.tester.url}/hello`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(await res.text(), "hello ann@example.com");
  });

  it("refuses a replayed logout token (same jti) with a 400", async () => {
    const s = await setUp();
    await using _ = s.ex;
    const token = await s.forged.sign(s.claims({ sid: "sid-1" }));
    assert.equal((await post(s, token)).status, 200);
    const again = await post(s, token);
    assert.equal(again.status, 400);
    assert.match(again.text, /replay/);
  });

  it("takes a logout token delivered several times at once exactly once", async () => {
    const s = await setUp();
    await using _ = s.ex;
    const cookie = await session(s, "sid-1");
    const token = await s.forged.sign(s.claims({ sid: "sid-1", sub: "sub-ann" }));
    const statuses = (await Promise.all([1, 2, 3, 4].map(() => post(s, token)))).map((r) =>
      r.status
    );
    assert.deepEqual(statuses.toSorted(), [200, 400, 400, 400]);
    assert.equal(await hello(s, cookie), "hello guest");
  });

  it("takes the provider's retry of a logout whose recording failed (503)", async () => {
    // The example's clock starts at the same time, and stands still here.
    const store = new FlakyStore({ clock: new TestClock().read });
    const s = await setUp(store);
    await using _ = s.ex;
    const cookie = await session(s, "sid-1");
    const token = await s.forged.sign(s.claims({ sid: "sid-1", sub: "sub-ann" }));
    store.failNext = true;
    assert.equal((await post(s, token)).status, 503);
    const retry = await post(s, token);
    assert.equal(retry.status, 200, retry.text);
    assert.equal(await hello(s, cookie), "hello guest");
    assert.equal((await post(s, token)).status, 400, "a replay after the success is refused");
  });

  const invalid: [string, (s: Setup) => Promise<string>][] = [
    ["signed by another key", async (s) => {
      const { privateKey } = await generateKeyPair("RS256");
      return await s.forged.sign(s.claims({ sid: "sid-1" }), privateKey);
    }],
    ["unsigned (alg none)", (s) => {
      const part = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "");
      return Promise.resolve(`${part({ alg: "none" })}.${part(s.claims({ sid: "sid-1" }))}.`);
    }],
    ["from another issuer", (s) => s.forged.sign(s.claims({ sid: "sid-1", iss: "https://evil" }))],
    ["for another client", (s) => s.forged.sign(s.claims({ sid: "sid-1", aud: "other" }))],
    [
      "issued long ago",
      (s) =>
        s.forged.sign(s.claims({ sid: "sid-1", iat: Math.floor(s.ex.clock.now / 1000) - 3600 })),
    ],
    [
      "issued in the future",
      (s) =>
        s.forged.sign(s.claims({ sid: "sid-1", iat: Math.floor(s.ex.clock.now / 1000) + 3600 })),
    ],
    [
      "without the logout event",
      (s) => s.forged.sign(s.claims({ sid: "sid-1", events: { "urn:other": {} } })),
    ],
    [
      "carrying a nonce (an ID token)",
      (s) => s.forged.sign(s.claims({ sid: "sid-1", nonce: "n" })),
    ],
    ["naming neither sid nor sub", (s) => s.forged.sign(s.claims())],
    ["without a jti", (s) => s.forged.sign(s.claims({ sid: "sid-1", jti: undefined }))],
  ];
  for (const [what, make] of invalid) {
    it(`refuses with a 400, and logs, a logout token ${what}, and the session stays`, async () => {
      const s = await setUp();
      await using _ = s.ex;
      const cookie = await session(s, "sid-1");
      const res = await post(s, await make(s));
      assert.equal(res.status, 400, res.text);
      assert.equal(JSON.parse(res.text).error, "invalid_request");
      assert.ok(
        s.ex.logs.some((l) => /refused a back-channel logout/.test(l)),
        s.ex.logs.join("\n"),
      );
      assert.equal(await hello(s, cookie), "hello ann@example.com");
    });
  }

  it("answers 415 to a body that is not a form", async () => {
    const s = await setUp();
    await using _ = s.ex;
    assert.equal((await post(s, "x", "application/json")).status, 415);
  });
});
