import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeHeadlessLogin,
  confirmHeadlessLogin,
  startExample,
} from "../../testing/_fixtures.ts";

const BROWSER = { accept: "text/html,*/*;q=0.8" };

interface Started {
  login_url: string;
  token_url: string;
  expires_in: number;
  user_code: string;
  cookie: string;
}

async function start(app: string): Promise<Started> {
  const res = await fetch(`${app}/login?headless=true`);
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  return { ...await res.json(), cookie };
}

function poll(started: Started, cookie = started.cookie): Promise<Response> {
  return fetch(started.token_url, { headers: cookie ? { cookie } : {} });
}

describe("headless login", () => {
  it("hands the token to the tool that started it, once, after a person logs in", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await ex.mock.setEmail("ann@example.com");
    const started = await start(ex.tester.url);
    assert.equal(started.expires_in, 300);
    assert.match(started.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
    const pending = await poll(started);
    assert.equal(pending.status, 202);
    assert.deepEqual(await pending.json(), { status: "pending" });
    const done = await completeHeadlessLogin(started.login_url, started.user_code);
    assert.equal(done.status, 200);
    const cookies = done.headers.getSetCookie();
    assert.equal(cookies.length, 1, "the login state is cleared, no session is started");
    assert.match(cookies[0], /^easy_oauth_login_[^=]+=; Max-Age=0/);
    assert.match(await done.text(), /now has a token for <strong>ann@example.com<\/strong>/);
    const redeemed = await poll(started);
    assert.equal(redeemed.status, 200);
    const { refresh_token: token, email } = await redeemed.json();
    assert.equal(email, "ann@example.com", "the tool can show whose token it got");
    const read = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(await read.text(), "read by ann@example.com");
    assert.equal((await poll(started)).status, 400, "redeemed once only");
  });

  it("keeps the credential out of token_url: it names the pairing, the poll key is a cookie", async () => {
    await using ex = await startExample();
    const started = await start(ex.tester.url);
    const pollKey = started.cookie.split("=")[1];
    assert.ok(pollKey.length >= 43);
    assert.ok(!started.token_url.includes(pollKey) && !started.login_url.includes(pollKey));
    assert.equal(new URL(started.token_url).search, "");
    const res = await fetch(`${ex.tester.url}/login?headless=true`);
    const line = res.headers.getSetCookie()[0];
    assert.match(line, /HttpOnly/);
    assert.match(line, /SameSite=Strict/);
    assert.match(line, /Max-Age=300/);
    await res.body?.cancel();
  });

  it("refuses to hand the token to a third party that knows token_url", async () => {
    await using ex = await startExample();
    const started = await start(ex.tester.url);
    const other = await start(ex.tester.url);
    await completeHeadlessLogin(started.login_url, started.user_code);
    assert.equal((await poll(started, "")).status, 403);
    const foreign = other.cookie.replace(/headless_[^=]+/, started.cookie.split("=")[0].slice(-16));
    assert.equal((await poll(started, foreign)).status, 403);
    assert.equal((await poll(started)).status, 200, "the tool that started it still gets it");
  });

  it("opens login_url once: a copy of the link seen later cannot be completed", async () => {
    await using ex = await startExample();
    const started = await start(ex.tester.url);
    const first = await fetch(started.login_url, { headers: BROWSER });
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const second = await fetch(started.login_url, { headers: BROWSER });
    assert.equal(second.status, 400);
    assert.match(await second.text(), /already used/);
    const guessed = new URL(started.login_url);
    guessed.searchParams.set("code", "x".repeat(43));
    const other = await start(ex.tester.url);
    const wrongCode = new URL(other.login_url);
    wrongCode.searchParams.set("code", guessed.searchParams.get("code")!);
    assert.equal((await fetch(wrongCode)).status, 400);
  });

  it("takes the confirmation once, from this site only, with the key of the page", async () => {
    await using ex = await startExample();
    const started = await start(ex.tester.url);
    const page = await (await fetch(started.login_url)).text();
    const key = /name="confirm" value="([^"]+)"/.exec(page)![1];
    const action = new URL(new URL(started.login_url).pathname, started.login_url);
    const crossSite = await fetch(action, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "cross-site",
      },
      body: new URLSearchParams({ confirm: key }),
    });
    assert.equal(crossSite.status, 403);
    assert.equal((await confirmHeadlessLogin(action, "wrong")).status, 400);
    assert.equal(
      (await confirmHeadlessLogin(action, key)).status,
      200,
      "the right key still works once",
    );
    assert.equal((await confirmHeadlessLogin(action, key)).status, 400);
  });

  it("expires after five minutes, before and after the login", async () => {
    await using ex = await startExample();
    const early = await start(ex.tester.url);
    const late = await start(ex.tester.url);
    await completeHeadlessLogin(late.login_url, late.user_code);
    ex.clock.advance(301);
    assert.equal((await fetch(early.login_url)).status, 400);
    assert.equal((await poll(early)).status, 400);
    assert.equal((await poll(late)).status, 400);
  });

  it("refuses headless values other than true", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/login?headless=yes`);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, "invalid_request");
  });
});
