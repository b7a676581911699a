// What guards a headless login against phishing and flooding (issue 18, items 2 and 3).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Context } from "hono";
import { completeHeadlessLogin, startExample } from "../../testing/_fixtures.ts";
import { OAuthManager } from "../manager.ts";

const BROWSER = { accept: "text/html,*/*;q=0.8" };
/** Tests say which address a request comes from. */
const clientAddress = (c: Context) => c.req.header("x-test-address");

async function start(app: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app}/login?headless=true`, { headers });
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  return { ...await res.json(), cookie } as {
    login_url: string;
    token_url: string;
    user_code: string;
    cookie: string;
  };
}

describe("the headless confirmation page", () => {
  it("says who asked, from where and when, and what confirming gives away, all escaped", async () => {
    await using ex = await startExample({ clientAddress });
    const started = await start(ex.tester.url, {
      "x-test-address": "203.0.113.7",
      "user-agent": 'curl/8.5 <script>alert("x")</script>',
    });
    ex.clock.advance(2 * 60);
    const page = await (await fetch(started.login_url, { headers: BROWSER })).text();
    assert.match(page, /id="address">203\.0\.113\.7</);
    assert.match(
      page,
      /id="user-agent">curl\/8\.5 &#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62;</,
    );
    assert.doesNotMatch(page, /<script>alert/);
    assert.match(page, /id="started">2 minutes ago \(Thursday 1 January 2026, 00:00 UTC\)</);
    assert.match(page, /everything you can,\s+for 30 days/);
    assert.match(page, /anyone can start such a login and send you its link/);
    assert.match(page, /<button id="cancel" type="submit">/);
  });

  it("ends the pairing at once on Cancel, and the polling tool is told access_denied", async () => {
    await using ex = await startExample({ clientAddress });
    const started = await start(ex.tester.url);
    const page = await (await fetch(started.login_url, { headers: BROWSER })).text();
    const key = /name="confirm" value="([^"]+)"/.exec(page)![1];
    const action = new URL(
      /<form method="post" action="([^"]+)"/.exec(page)![1],
      started.login_url,
    );
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(action, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...BROWSER, ...headers },
        body: new URLSearchParams(body),
      });
    const crossSite = await post({ confirm: key, cancel: "true" }, {
      origin: "https://evil.example",
    });
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();
    const cancelled = await post({ confirm: key, cancel: "true" });
    assert.equal(cancelled.status, 200);
    assert.match(await cancelled.text(), /id="cancelled"/);
    const polled = await fetch(started.token_url, { headers: { cookie: started.cookie } });
    assert.equal(polled.status, 400);
    assert.equal((await polled.json()).error, "access_denied");
    const confirmed = await post({ confirm: key });
    assert.equal(confirmed.status, 400, "a cancelled login cannot be confirmed");
    await confirmed.body?.cancel();
  });

  it("gives tokens minted through it a shorter lifetime of their own (headlessTokenLifetime)", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await ex.mock.setEmail("ann@example.com");
    const started = await start(ex.tester.url);
    assert.equal((await completeHeadlessLogin(started.login_url, started.user_code)).status, 200);
    const polled = await fetch(started.token_url, { headers: { cookie: started.cookie } });
    const { refresh_token: headless } = await polled.json();
    const typed = ex.tester.browser();
    await typed.get("/login");
    const fromPage = (await typed.get("/token")).json<{ refresh_token: string }>().refresh_token;
    const read = (token: string) =>
      fetch(`${ex.tester.url}/read`, { headers: { authorization: `Bearer ${token}` } });
    ex.clock.advance(29 * 24 * 3600);
    assert.equal((await read(headless)).status, 200);
    ex.clock.advance(2 * 24 * 3600);
    assert.equal((await read(headless)).status, 401, "past 30 days");
    assert.equal((await read(fromPage)).status, 200, "a token from /token lives on");
    for (const bad of [0, 59, 1.5, 366 * 24 * 3600, "1"]) {
      assert.throws(
        () =>
          new OAuthManager({
            forceUser: { email: "a@b.c" },
            capabilities: { graph: {} },
            headlessTokenLifetime: bad as number,
          }),
        { name: "TypeError", message: /"headlessTokenLifetime" must be a whole number/ },
      );
    }
  });
});

describe("headless login starts", () => {
  it("refuses (429, Retry-After) more than 20 pending from one address, and lets others start", async () => {
    await using ex = await startExample({ clientAddress });
    const from = (address: string) =>
      ex.app.request("http://localhost/login?headless=true", {
        headers: { "x-test-address": address },
      });
    for (let i = 0; i < 20; i++) assert.equal((await from("198.51.100.1")).status, 200);
    const refused = await from("198.51.100.1");
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).error, "too_many_requests");
    assert.equal(refused.headers.get("retry-after"), "300");
    // An IPv6 subscriber holds a whole /64.
    for (let i = 0; i < 20; i++) {
      assert.equal((await from(`2001:db8:1:2::${i.toString(16)}`)).status, 200);
    }
    assert.equal((await from("2001:db8:1:2:ffff::1")).status, 429);
    assert.equal((await from("198.51.100.2")).status, 200);
    ex.clock.advance(300);
    assert.equal((await from("198.51.100.1")).status, 200, "again once the old ones expired");
  });

  it("never evicts a completed pairing: a flood of 10,000 starts gets 429, and the tool still gets its token", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n", clientAddress });
    await ex.mock.setEmail("ann@example.com");
    const started = await start(ex.tester.url);
    assert.equal((await completeHeadlessLogin(started.login_url, started.user_code)).status, 200);
    let refused: Response | undefined;
    for (let i = 0; i < 10_000 && !refused; i++) {
      const res = await ex.app.request("http://localhost/login?headless=true", {
        headers: { "x-test-address": `10.${i >> 8}.${i & 255}.1` },
      });
      if (res.status === 429) refused = res;
      else await res.body?.cancel();
    }
    assert.ok(refused, "the flood is refused before it can push anything out");
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    const polled = await fetch(started.token_url, { headers: { cookie: started.cookie } });
    assert.equal(polled.status, 200);
    assert.ok((await polled.json()).refresh_token);
  });
});
