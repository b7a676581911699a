import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

const BROWSER = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe("error pages", () => {
  it("answers a guest's browser with a 401 page that logs in and comes back", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/read?x=1`, { headers: BROWSER });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    const page = await res.text();
    assert.match(page, /You are not logged in/);
    assert.match(page, /href="\/login\?next=%2Fread%3Fx%3D1" id="log-in"/);
  });

  it("answers a refused user's browser with a 403 page to log in as someone else", async () => {
    await using ex = await startExample();
    const browser = ex.tester.browser();
    await browser.get("/login");
    const res = await browser.get("/write", {}, { expect: 403, headers: BROWSER });
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    assert.match(res.text, /This needs the &#34;write&#34; capability\./);
    assert.match(res.text, /You are logged in as <strong>test@example.com<\/strong>/);
    assert.match(
      res.text,
      /href="\/login\?next=%2Fwrite&#38;prompt=select_account" id="switch-user"/,
    );
  });

  it("answers a stale callback in a browser with a 400 page that starts again", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/auth?code=x&state=y`, { headers: BROWSER });
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /<code>invalid_state<\/code>/);
    assert.match(page, /href="\/login\?next=%2F" id="log-in"/);
  });

  it("keeps the JSON bodies and codes for scripts", async () => {
    await using ex = await startExample();
    const guest = await fetch(`${ex.tester.url}/read`, { headers: { accept: "*/*" } });
    assert.equal(guest.status, 401);
    assert.deepEqual(await guest.json(), {
      error: "unauthenticated",
      detail: "Log in or send a bearer token.",
    });
    const user = await ex.tester.client("someone@example.com");
    const refused = await user.get("/write", {}, { expect: 403 });
    assert.equal(refused.json<{ error: string }>().error, "forbidden");
    const stale = await fetch(`${ex.tester.url}/auth?code=x&state=y`);
    assert.equal((await stale.json()).error, "invalid_state");
  });

  it("keeps JSON for other statuses even in a browser", async () => {
    await using ex = await startExample();
    await ex.mock.setEmail("boss@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const res = await browser.post("/manage_capabilities/add", undefined, {
      expect: 415,
      headers: BROWSER,
    });
    assert.equal(res.json<{ error: string }>().error, "unsupported_media_type");
  });

  it("answers a bad bearer token in a browser with a 401 page", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/read`, {
      headers: { ...BROWSER, authorization: "Bearer not-a-token" },
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate")!, /invalid_token/);
    assert.match(await res.text(), /You are not logged in/);
  });

  it("offers no log-in link on a 403 that logging in would not fix", async () => {
    await using ex = await startExample();
    const started = await (await fetch(`${ex.tester.url}/login?headless=true`)).json();
    const res = await fetch(started.login_url.split("?")[0], {
      method: "POST",
      headers: { ...BROWSER, "sec-fetch-site": "cross-site" },
    });
    assert.equal(res.status, 403);
    const page = await res.text();
    assert.match(page, /<code>cross_site_request<\/code>/);
    assert.ok(!page.includes('id="switch-user"') && !page.includes('id="log-in"'));
  });
});
