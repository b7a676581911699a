import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

describe("login routes", () => {
  it("logs in through the browser, keeps the session, and logs out", async () => {
    await using ex = await startExample();
    await ex.mock.setEmail("bea@example.com");
    const browser = ex.tester.browser();
    const home = await browser.get("/login");
    assert.equal(home.text, "home");
    assert.equal((await browser.get("/hello")).text, "hello bea@example.com");
    const cookie = [...browser.cookies(ex.tester.url)].find(([name]) => name.includes("session"));
    assert.ok(cookie, "a session cookie is set");
    assert.ok(!cookie[1].includes("bea"), "the cookie is encrypted");
    assert.ok(cookie[1].length < 4096);
    const logout = await fetch(`${ex.tester.url}/logout`, { redirect: "manual" });
    assert.equal(logout.status, 307, "as upstream's Starlette");
    assert.equal(logout.headers.get("location"), "/");
    await browser.get("/logout");
    assert.equal((await browser.get("/hello")).text, "hello guest");
  });

  it("makes the old session cookie useless after logout", async () => {
    await using ex = await startExample();
    const browser = ex.tester.browser();
    await browser.get("/login");
    const [name, value] = [...browser.cookies(ex.tester.url)].find(([n]) => n.includes("session"))!;
    await browser.get("/logout");
    const res = await fetch(`${ex.tester.url}/hello`, { headers: { cookie: `${name}=${value}` } });
    assert.equal(await res.text(), "hello guest");
  });

  it("sets HttpOnly, SameSite=Lax cookies with PKCE S256, state and nonce on the provider request", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location")!);
    assert.equal(location.origin, ex.mock.url);
    assert.equal(location.searchParams.get("code_challenge_method"), "S256");
    assert.match(location.searchParams.get("code_challenge")!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(location.searchParams.get("state")!.length >= 32);
    assert.ok(location.searchParams.get("nonce")!.length >= 32);
    assert.equal(location.searchParams.get("redirect_uri"), `${ex.tester.url}/auth`);
    const cookies = res.headers.getSetCookie().join("\n");
    assert.match(cookies, /HttpOnly/);
    assert.match(cookies, /SameSite=Lax/);
  });

  it("redirect: true sends a guest to login and back to the original URL", async () => {
    await using ex = await startExample({ users: "ann@example.com: [announce]\n" });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    const res = await browser.get("/shout", { message: "hello there" });
    assert.equal(res.text, 'ann@example.com shouts "hello there"');
  });

  it("answers 307 to the login page for redirect: true, and 401 with WWW-Authenticate otherwise", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/shout?message=x`, { redirect: "manual" });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get("location"), "/login?next=%2Fshout%3Fmessage%3Dx");
    await res.body?.cancel();
    const denied = await fetch(`${ex.tester.url}/read`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), "Bearer");
    assert.equal((await denied.json()).error, "unauthenticated");
  });

  it("lets two tabs log in at once", async () => {
    await using ex = await startExample();
    const browser = ex.tester.browser();
    const jarCookies = () =>
      [...browser.cookies(ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
    const first = await fetch(`${ex.tester.url}/login?next=/one`, { redirect: "manual" });
    const second = await fetch(`${ex.tester.url}/login?next=/two`, { redirect: "manual" });
    const cookies = [...first.headers.getSetCookie(), ...second.headers.getSetCookie()]
      .map((c) => c.split(";")[0]).filter((c) => c.includes("login_")).join("; ");
    assert.equal(jarCookies(), "");
    for (const [res, next] of [[first, "/one"], [second, "/two"]] as const) {
      const atProvider = await fetch(res.headers.get("location")!, { redirect: "manual" });
      const callback = await fetch(atProvider.headers.get("location")!, {
        redirect: "manual",
        headers: { cookie: cookies },
      });
      assert.equal(callback.status, 307, await callback.clone().text());
      assert.equal(callback.headers.get("location"), next);
    }
  });

  it("refuses a missing or mismatched state, a replayed callback and a provider error with a 400", async () => {
    await using ex = await startExample();
    const noState = await fetch(`${ex.tester.url}/auth?code=abc`);
    assert.equal(noState.status, 400);
    assert.equal((await noState.json()).error, "invalid_state");

    const start = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    const cookie = start.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const atProvider = await fetch(start.headers.get("location")!, { redirect: "manual" });
    const callback = new URL(atProvider.headers.get("location")!);
    const wrong = new URL(callback);
    wrong.searchParams.set("state", "x".repeat(43));
    const mismatched = await fetch(wrong, { headers: { cookie } });
    assert.equal(mismatched.status, 400);
    await mismatched.body?.cancel();

    const ok = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    assert.equal(ok.status, 307);
    const replayed = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    assert.equal(replayed.status, 400, "the login state is single-use");
    await replayed.body?.cancel();

    const start2 = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    const cookie2 = start2.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const state = new URL(start2.headers.get("location")!).searchParams.get("state")!;
    const denied = await fetch(`${ex.tester.url}/auth?error=access_denied&state=${state}`, {
      headers: { cookie: cookie2 },
    });
    assert.equal(denied.status, 400);
    assert.equal((await denied.json()).error, "access_denied");
  });

  it("refuses a code replayed with a fresh login state", async () => {
    await using ex = await startExample();
    const start = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    const cookie = start.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const callback = new URL(
      (await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get(
        "location",
      )!,
    );
    assert.equal((await fetch(callback, { headers: { cookie }, redirect: "manual" })).status, 307);
    // Same code, under a new login attempt whose state we substitute.
    const again = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    const cookie2 = again.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    callback.searchParams.set(
      "state",
      new URL(again.headers.get("location")!).searchParams.get("state")!,
    );
    const replay = await fetch(callback, { headers: { cookie: cookie2 } });
    assert.equal(replay.status, 400);
    assert.equal((await replay.json()).error, "login_failed");
  });

  it("never redirects off-site after login", async () => {
    await using ex = await startExample();
    for (const next of ["//evil.com", "https://evil.com/x", "/\\evil.com", "javascript:alert(1)"]) {
      const start = await fetch(`${ex.tester.url}/login?next=${encodeURIComponent(next)}`, {
        redirect: "manual",
      });
      const cookie = start.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const atProvider = await fetch(start.headers.get("location")!, { redirect: "manual" });
      const done = await fetch(atProvider.headers.get("location")!, {
        headers: { cookie },
        redirect: "manual",
      });
      assert.equal(done.headers.get("location"), "/", next);
    }
  });

  it("validates the query of /login", async () => {
    await using ex = await startExample();
    for (const query of ["redirect=evil", "offline_token=maybe"]) {
      const res = await fetch(`${ex.tester.url}/login?${query}`, { redirect: "manual" });
      assert.equal(res.status, 400, query);
      assert.equal((await res.json()).error, "invalid_request");
    }
  });

  it("answers 503 on /login when the provider is down, while public routes keep working", async () => {
    await using ex = await startExample({
      serverMetadataUrl: "http://127.0.0.1:9/.well-known/openid-configuration",
    });
    const res = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error, "provider_unavailable");
    assert.equal(await (await fetch(`${ex.tester.url}/`)).text(), "home");
  });

  it("redirects /token without a refresh token to an offline login, which answers the token", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/token`, { redirect: "manual" });
    assert.equal(res.status, 307, "as upstream's Starlette: the method is replayed");
    assert.equal(res.headers.get("location"), "/login?offline_token=true&redirect=token");
    await res.body?.cancel();
    const browser = ex.tester.browser();
    const token = await browser.get("/token");
    assert.equal(token.headers.get("cache-control"), "no-store");
    assert.equal(typeof token.json<{ refresh_token: string }>().refresh_token, "string");
  });

  it("uses Secure __Host- cookies and the configured baseUrl behind an https proxy", async () => {
    await using ex = await startExample({ baseUrl: "https://app.example" });
    const res = await ex.app.request("http://internal:8080/login");
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location")!);
    assert.equal(location.searchParams.get("redirect_uri"), "https://app.example/auth");
    const cookie = res.headers.getSetCookie().find((c) => c.includes("login_"))!;
    assert.match(cookie, /^__Host-easy_oauth_login_/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, /Max-Age=600/);
  });

  it("passes ?prompt= on to the provider, and refuses values OpenID Connect does not define", async () => {
    await using ex = await startExample();
    const res = await fetch(`${ex.tester.url}/login?prompt=select_account`, { redirect: "manual" });
    assert.equal(
      new URL(res.headers.get("location")!).searchParams.get("prompt"),
      "select_account",
    );
    const bad = await fetch(`${ex.tester.url}/login?prompt=evil`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error, "invalid_request");
  });

  it("mints at GET /token only for the app's own pages or a typed address", async () => {
    await using ex = await startExample({ users: "ann@example.com: [user_management]\n" });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    await browser.get("/token");
    const cookie = [...browser.cookies(ex.tester.url)].map(([k, v]) => `${k}=${v}`).join("; ");
    const get = (query: string, headers: Record<string, string>) =>
      fetch(`${ex.tester.url}/token${query}`, {
        headers: { cookie, ...headers },
        redirect: "manual",
      });
    const hostile = '?login_hint="><script>x</script>';
    const navigation = await get(hostile, {
      "sec-fetch-site": "cross-site",
      "sec-fetch-mode": "navigate",
    });
    assert.equal(navigation.status, 403);
    assert.equal(navigation.headers.get("x-frame-options"), "DENY");
    const page = await navigation.text();
    assert.doesNotMatch(page, /<script>|refresh_token/);
    assert.match(page, /<a href="\/token\?login_hint=%22%3E%3Cscript%3Ex%3C\/script%3E">/);
    for (const query of ["", "?user=bot@service"]) {
      const scripted = await get(query, { origin: "https://evil.example" });
      assert.equal(scripted.status, 403, query);
      assert.equal((await scripted.json()).error, "cross_site_request");
    }
    for (const site of ["same-origin", "none"]) {
      const own = await get("", { "sec-fetch-site": site, "sec-fetch-mode": "navigate" });
      assert.equal(own.status, 200, site);
      assert.ok((await own.json()).refresh_token);
    }
  });
});
