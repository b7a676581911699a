// Every way of reaching a mint follows the rule of GET /token: another site's
// navigation mints nothing without a confirmation on this origin (issue 18, item 7).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

describe("cross-site requests that would mint a token", () => {
  it("refuses a GET /login?redirect=token that another site sent: a page to confirm, no login started", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const cookie = [...browser.cookies(ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
    const get = (query: string, headers: Record<string, string>) =>
      fetch(`${ex.tester.url}/login${query}`, {
        headers: { cookie, ...headers },
        redirect: "manual",
      });
    for (const query of ["?redirect=token", "?redirect=token&offline_token=true&next=/x"]) {
      const navigation = await get(query, {
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "navigate",
        accept: "text/html",
      });
      assert.equal(navigation.status, 403, query);
      assert.equal(navigation.headers.get("location"), null, "no login at the provider");
      assert.deepEqual(navigation.headers.getSetCookie(), [], "no login state");
      assert.equal(navigation.headers.get("x-frame-options"), "DENY");
      const page = await navigation.text();
      assert.ok(page.includes(`<a href="/login${query.replaceAll("&", "&amp;")}">`), page);
    }
    const scripted = await get("?redirect=token", { origin: "https://evil.example" });
    assert.equal(scripted.status, 403);
    assert.equal((await scripted.json()).error, "cross_site_request");
    // From the app's own pages, or typed: the login goes on to the provider.
    for (const site of ["same-origin", "none"]) {
      const own = await get("?redirect=token", { "sec-fetch-site": site });
      await own.body?.cancel();
      assert.equal(own.status, 302, site);
    }
    // A plain login (no token at its end) from another site still starts, as before.
    const plain = await get("?next=/", { "sec-fetch-site": "cross-site" });
    await plain.body?.cancel();
    assert.equal(plain.status, 302);
  });

  it("refuses a headless start that another site sent, and still serves the command-line tool", async () => {
    await using ex = await startExample();
    for (
      const headers of <Record<string, string>[]> [
        { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
        { origin: "https://evil.example" },
      ]
    ) {
      const res = await fetch(`${ex.tester.url}/login?headless=true`, { headers });
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal((await res.json()).error, "cross_site_request");
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
    const tool = await fetch(`${ex.tester.url}/login?headless=true`);
    assert.equal(tool.status, 200);
    assert.ok((await tool.json()).login_url);
  });
});
