import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

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
});
