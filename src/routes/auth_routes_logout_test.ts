import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { StoreUnavailable } from "../errors.ts";

type Ex = Awaited<ReturnType<typeof startExample>>;

async function loggedIn(ex: Ex): Promise<string> {
  const browser = ex.tester.browser();
  await browser.get("/login");
  return [...browser.cookies(ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
}

async function hello(ex: Ex, cookie: string): Promise<string> {
  return await (await fetch(`${ex.tester.url}/hello`, { headers: { cookie } })).text();
}

describe("logout", () => {
  it("refuses a GET /logout that another site sent, and keeps the session", async () => {
    await using ex = await startExample();
    await ex.mock.setEmail("bea@example.com");
    const cookie = await loggedIn(ex);
    for (const site of ["cross-site", "same-site"]) {
      const res = await fetch(`${ex.tester.url}/logout`, {
        redirect: "manual",
        headers: { cookie, "sec-fetch-site": site },
      });
      await res.body?.cancel();
      assert.equal(res.status, 403, site);
      assert.equal(res.headers.getSetCookie().length, 0);
    }
    assert.equal(await hello(ex, cookie), "hello bea@example.com");
    const own = await fetch(`${ex.tester.url}/logout`, {
      redirect: "manual",
      headers: { cookie, "sec-fetch-site": "same-origin" },
    });
    await own.body?.cancel();
    assert.ok(own.status >= 300 && own.status < 400);
    assert.equal(await hello(ex, cookie), "hello guest");
  });

  it("accepts POST /logout from the app's own pages only", async () => {
    await using ex = await startExample();
    await ex.mock.setEmail("bea@example.com");
    const cookie = await loggedIn(ex);
    const refused = await fetch(`${ex.tester.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error, "cross_site_request");
    assert.equal(await hello(ex, cookie), "hello bea@example.com");
    const res = await fetch(`${ex.tester.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: ex.tester.url, "sec-fetch-site": "same-origin" },
    });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    assert.match(res.headers.getSetCookie().join("\n"), /session=;/);
    assert.equal(await hello(ex, cookie), "hello guest");
  });

  it("keeps the session through a GET /login that another site sent, until the new login completes", async () => {
    await using ex = await startExample();
    await ex.mock.setEmail("bea@example.com");
    const cookie = await loggedIn(ex);
    const login = await fetch(`${ex.tester.url}/login?next=/`, {
      redirect: "manual",
      headers: { cookie, "sec-fetch-site": "cross-site" },
    });
    await login.body?.cancel();
    assert.equal(login.status, 302);
    // Only the login-state cookie is set: the session cookie is neither cleared nor replaced.
    assert.ok(!login.headers.getSetCookie().some((c) => c.includes("easy_oauth_session=")));
    assert.equal(await hello(ex, cookie), "hello bea@example.com");
    // The victim's own login still replaces the session at the callback.
    const browser = ex.tester.browser();
    await browser.get("/login");
    await ex.mock.setEmail("cy@example.com");
    await browser.get("/login", undefined, { headers: { "sec-fetch-site": "cross-site" } });
    assert.equal((await browser.get("/hello")).text, "hello cy@example.com");
  });

  it("answers a logged 503, not a success, when the token store cannot be written", async () => {
    let broken = false;
    const store = new class extends MemoryTokenStore {
      override revokeId(id: string, until: number): Promise<void> {
        return broken
          ? Promise.reject(new StoreUnavailable("the token store cannot be written"))
          : super.revokeId(id, until);
      }
    }();
    await using ex = await startExample({ tokenStore: store });
    await ex.mock.setEmail("bea@example.com");
    const cookie = await loggedIn(ex);
    broken = true;
    const logout = await fetch(`${ex.tester.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: ex.tester.url },
    });
    assert.equal(logout.status, 503);
    assert.equal(logout.headers.getSetCookie().length, 0);
    assert.equal((await logout.json()).error, "store_unavailable");
    assert.ok(ex.logs.some((line) => /token store cannot be written/.test(line)));
    // Once the store is back, the logout works and the cookie is dead.
    broken = false;
    const retry = await fetch(`${ex.tester.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: ex.tester.url },
    });
    await retry.body?.cancel();
    assert.equal(retry.status, 303);
    assert.equal(await hello(ex, cookie), "hello guest");
  });
});
