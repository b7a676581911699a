import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";
import { tokenPage } from "./token_page.ts";

const BROWSER = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe("token page", () => {
  it("shows the token, a copy button, a curl line and the expiry, all escaped", async () => {
    const res = tokenPage({
      token: "abc<def>",
      email: "a&b@example.com",
      expiresAt: Date.UTC(2027, 0, 2, 3, 4),
      checkUrl: "http://app.test/token/whoami",
    });
    const page = await res.text();
    assert.match(page, /<textarea id="token" rows="6" readonly>abc&#60;def&#62;<\/textarea>/);
    assert.match(page, /<button id="copy" type="button">Copy<\/button>/);
    assert.match(
      page,
      /<code id="curl">curl -H &#34;Authorization: Bearer abc&#60;def&#62;&#34; http:\/\/app.test\/token\/whoami<\/code>/,
    );
    assert.match(page, /datetime="2027-01-02T03:04:00.000Z">2027-01-02 03:04 UTC/);
    assert.match(page, /a&#38;b@example.com/);
    const nonce = /<script nonce="([^"]+)">/.exec(page)![1];
    assert.ok(res.headers.get("content-security-policy")!.includes(`'nonce-${nonce}'`));
  });

  it("after the provider's callback, redirects to a clean /token that hands over a working token", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await ex.mock.setEmail("ann@example.com");
    const login = await fetch(`${ex.tester.url}/login?redirect=token`, { redirect: "manual" });
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const back = await fetch(login.headers.get("location")!, { redirect: "manual" });
    const callback = await fetch(back.headers.get("location")!, {
      redirect: "manual",
      headers: { cookie, ...BROWSER },
    });
    // A page of the app's own goes on to /token, so that the provider is not in
    // the navigation's chain (a reload of /token is then same-origin).
    assert.equal(callback.status, 200);
    const goOn = await callback.clone().text();
    assert.match(goOn, /<meta http-equiv="refresh" content="0;url=\/token">/);
    assert.match(goOn, /<a id="continue" href="\/token">/);
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const line of res.headers.getSetCookie()) {
        const [name, value] = line.split(";")[0].split("=");
        if (/Max-Age=0/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
    };
    keep(callback);
    assert.ok(jar.has("easy_oauth_handover"), "the token waits in a one-time cookie");
    const tokens: string[] = [];
    for (let reload = 0; reload < 2; reload++) {
      const cookies = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
      const page = await fetch(`${ex.tester.url}/token`, {
        headers: { cookie: cookies, ...BROWSER },
      });
      assert.equal(page.status, 200);
      keep(page);
      const text = await page.text();
      const token = /<textarea id="token" rows="6" readonly>([^<]+)</.exec(text)![1];
      const read = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(await read.text(), "read by ann@example.com");
      tokens.push(token);
    }
    assert.ok(!jar.has("easy_oauth_handover"), "taken once, then cleared");
    assert.notEqual(tokens[0], tokens[1], "a reload makes a new token from the session");
  });

  it("redirects a script's callback to /token with a 307, and answers it JSON", async () => {
    await using ex = await startExample();
    const login = await fetch(`${ex.tester.url}/login?redirect=token`, { redirect: "manual" });
    const state = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const back = await fetch(login.headers.get("location")!, { redirect: "manual" });
    const callback = await fetch(back.headers.get("location")!, {
      redirect: "manual",
      headers: { cookie: state },
    });
    assert.equal(callback.status, 307);
    assert.equal(callback.headers.get("location"), "/token");
  });

  it("keeps the JSON answer of /token for scripts", async () => {
    await using ex = await startExample();
    const browser = ex.tester.browser();
    const res = await browser.get("/token");
    assert.match(res.headers.get("content-type")!, /^application\/json/);
    assert.equal(typeof res.json<{ refresh_token: string }>().refresh_token, "string");
  });
});
