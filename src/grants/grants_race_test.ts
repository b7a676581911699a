import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Example, startExample } from "../../testing/_fixtures.ts";
import { MAX_TOKENS_PER_ACCOUNT } from "./grants.ts";
import type { GrantRecord } from "../stores/token_store.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";

const USERS = "ann@example.com: [read]\n";

function cookieOf(ex: Example, browser: ReturnType<Example["tester"]["browser"]>): string {
  return [...browser.cookies(ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** Ann logged in, with one token minted; her session cookie. */
async function annSession(ex: Example): Promise<{ cookie: string; token: string }> {
  await ex.mock.setEmail("ann@example.com");
  const browser = ex.tester.browser();
  const token = (await browser.get("/token")).json<{ refresh_token: string }>().refresh_token;
  return { cookie: cookieOf(ex, browser), token };
}

async function statuses(requests: Promise<Response>[]): Promise<Record<number, number>> {
  const count: Record<number, number> = {};
  for (const res of await Promise.all(requests)) {
    await res.body?.cancel();
    count[res.status] = (count[res.status] ?? 0) + 1;
  }
  return count;
}

/**
 * Makes the mock look like a provider that rotates refresh tokens (each
 * refresh answers a new one, `<original>~<n>`), and can hold its answers to
 * refreshes on the wire after it has rotated.
 */
function rotating() {
  let n = 0;
  const state = { refreshed: 0 };
  const issued: string[] = [];
  const revoked: string[] = [];
  let gate: Promise<void> | undefined;
  let open = () => {};
  const original = (rt: string) => rt.split("~")[0];
  const fetcher: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (request.method !== "POST") return await fetch(request);
    const params = new URLSearchParams(await request.clone().text());
    const refresh = params.get("grant_type") === "refresh_token";
    if (path.endsWith("/revoke")) {
      revoked.push(params.get("token")!);
      params.set("token", original(params.get("token")!));
    } else if (refresh) {
      params.set("refresh_token", original(params.get("refresh_token")!));
    }
    const headers = new Headers(request.headers);
    headers.delete("content-length");
    const res = await fetch(request.url, { method: "POST", headers, body: params.toString() });
    if (refresh) state.refreshed++;
    if (refresh && gate) await gate;
    if (!path.endsWith("/token") || res.status !== 200) return res;
    const body = await res.json();
    if (typeof body.refresh_token === "string" || refresh) {
      body.refresh_token = `${original(body.refresh_token ?? params.get("refresh_token"))}~${++n}`;
      issued.push(body.refresh_token);
    }
    return Response.json(body);
  };
  return {
    fetch: fetcher,
    state,
    issued,
    revoked,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

/** A store shared with another process that wins every compare-and-set of an existing record while `contended`. */
class ContendedStore extends MemoryTokenStore {
  contended = false;
  override putGrant(record: GrantRecord, expectedVersion: number): Promise<boolean> {
    if (this.contended && expectedVersion > 0) return Promise.resolve(false);
    return super.putGrant(record, expectedVersion);
  }
}

describe("grants under concurrent requests", () => {
  it("mints 60 tokens asked at once from one session, without a 5xx", async () => {
    await using ex = await startExample({ users: USERS });
    const { cookie } = await annSession(ex);
    const count = await statuses(
      Array.from(
        { length: 60 },
        () => fetch(`${ex.tester.url}/token`, { headers: { cookie }, redirect: "manual" }),
      ),
    );
    assert.deepEqual(count, { 200: 60 });
  });

  it("revokes 30 tokens of one grant at once, without a 5xx", async () => {
    await using ex = await startExample({ users: USERS });
    const { cookie, token: first } = await annSession(ex);
    const tokens = [first];
    for (let i = 1; i < 30; i++) {
      const res = await fetch(`${ex.tester.url}/token`, { headers: { cookie } });
      tokens.push((await res.json()).refresh_token);
    }
    // Each token revokes itself: one revoking the others could be refused once it is itself revoked.
    const count = await statuses(tokens.map((token) =>
      fetch(`${ex.tester.url}/token/revoke`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
      })
    ));
    assert.deepEqual(count, { 200: 30 });
  });

  it(`never lets concurrent requests pass ${MAX_TOKENS_PER_ACCOUNT} live tokens`, async () => {
    await using ex = await startExample({ users: USERS });
    const { cookie } = await annSession(ex);
    let minted = 1;
    for (let round = 0; round < 20; round++) {
      const count = await statuses(
        Array.from(
          { length: 6 },
          () => fetch(`${ex.tester.url}/token`, { headers: { cookie }, redirect: "manual" }),
        ),
      );
      minted += count[200] ?? 0;
    }
    assert.equal(minted, MAX_TOKENS_PER_ACCOUNT);
  });

  it("answers 503 with Retry-After, logged, when other processes win every write of a grant", async () => {
    let now = Date.now;
    const store = new ContendedStore({ clock: () => now() });
    await using ex = await startExample({ users: USERS, tokenStore: store });
    now = ex.clock.read;
    const { cookie } = await annSession(ex);
    store.contended = true;
    const res = await fetch(`${ex.tester.url}/token`, { headers: { cookie } });
    assert.deepEqual([res.status, (await res.json()).error], [503, "store_unavailable"]);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.ok(ex.logs.some((l) => /grant record is contended/.test(l)), ex.logs.join("\n"));
  });

  it("revokes at the provider a refresh token rotated while the account was revoked", async () => {
    const provider = rotating();
    await using ex = await startExample({ users: USERS, fetch: provider.fetch });
    const { token } = await annSession(ex);
    await ex.mock.setEmail("boss@example.com");
    const boss = ex.tester.browser();
    await boss.get("/login");
    ex.clock.advance(4000); // ann's grant is refreshed at its next use
    provider.hold();
    const use = fetch(`${ex.tester.url}/read`, { headers: { Authorization: `Bearer ${token}` } });
    while (provider.state.refreshed === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const revoke = await fetch(`${ex.tester.url}/token/revoke`, {
      method: "POST",
      headers: { cookie: cookieOf(ex, boss), "Content-Type": "application/json" },
      body: JSON.stringify({ user: "ann@example.com" }),
    });
    assert.equal(revoke.status, 200, await revoke.text());
    provider.release();
    assert.equal((await use).status, 401);
    assert.ok(provider.revoked.includes(provider.issued.at(-1)!), "the rotated token is live");
    assert.equal(
      (await fetch(`${ex.tester.url}/read`, {
        headers: { Authorization: `Bearer ${token}` },
      })).status,
      401,
    );
  });
});
