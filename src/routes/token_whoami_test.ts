import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";
import { OAuthManager } from "../manager.ts";

const BROWSER = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
const METADATA = "http://127.0.0.1:9/.well-known/openid-configuration";

/** A browser session (cookies) made by logging in through the mock, and the `/token` page's text. */
async function tokenPageOf(url: string): Promise<string> {
  const login = await fetch(`${url}/login?redirect=token`, { redirect: "manual" });
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const back = await fetch(login.headers.get("location")!, { redirect: "manual" });
  const callback = await fetch(back.headers.get("location")!, {
    redirect: "manual",
    headers: { cookie, ...BROWSER },
  });
  const handover = callback.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  await callback.body?.cancel();
  const page = await fetch(`${url}/token`, { headers: { cookie: handover, ...BROWSER } });
  assert.equal(page.status, 200);
  return await page.text();
}

describe("GET /token/whoami", () => {
  it("says who the presented token is: email, kind, expiry and capabilities, never the token", async () => {
    await using ex = await startExample({ users: "ann@example.com: [write]\n" });
    const ann = await ex.tester.client("ann@example.com");
    const res = await ann.get("/token/whoami");
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = res.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(body).sort(), [
      "capabilities",
      "email",
      "expires_at",
      "kind",
      "status",
    ]);
    assert.equal(body.email, "ann@example.com");
    assert.equal(body.kind, "user");
    assert.equal(typeof body.expires_at, "number");
    assert.deepEqual(body.capabilities, ["read", "write"]);
    assert.ok(!res.text.includes(ann.token!), "the answer never holds the token");
    const bot = await ex.tester.serviceClient("bot@service", { as: "boss@example.com" });
    assert.equal((await bot.get("/token/whoami")).json<{ kind: string }>().kind, "service");
    await (await ex.tester.client()).get("/token/whoami", {}, { expect: 401 });
  });

  it("is what the token page's curl line calls, and the line works as pasted", async () => {
    await using ex = await startExample({ users: "test@example.com: [read]\n" });
    const page = await tokenPageOf(ex.tester.url);
    const token = /<textarea id="token" rows="6" readonly>([^<]+)</.exec(page)![1]!;
    const curl = /<code id="curl">curl -H &#34;Authorization: Bearer ([^&]+)&#34; (\S+)<\/code>/
      .exec(page);
    assert.ok(curl, page);
    assert.equal(curl[1], token);
    assert.equal(curl[2], `${ex.tester.url}/token/whoami`);
    const who = await fetch(curl[2]!, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(who.status, 200);
    assert.equal((await who.json()).email, "test@example.com");
  });

  it("lets the app name another URL for the curl line (tokenCheckUrl), a path or an http(s) URL", async () => {
    await using ex = await startExample({ tokenCheckUrl: "/api/me?full=1&x='y'" });
    const page = await tokenPageOf(ex.tester.url);
    // One shell word: quoted, since the URL holds "?" and "&" (its quotes are percent-encoded).
    const curl = /<code id="curl">curl -H &#34;[^<]*&#34; ([^<]+)<\/code>/.exec(page)?.[1];
    assert.equal(curl, `&#39;${ex.tester.url}/api/me?full=1&#38;x=%27y%27&#39;`);
    for (const bad of ["api/me", "//evil.example/", "javascript:alert(1)", ""]) {
      assert.throws(
        () =>
          new OAuthManager({
            serverMetadataUrl: METADATA,
            clientId: "a",
            secretKey: "hT3wQ9vLr6ZbN1cXk8pMe2sYa7uJf0GdV4iKo5RnB_E",
            capabilities: { graph: { read: [] } },
            tokenCheckUrl: bad,
          }),
        { name: "TypeError", message: /^"tokenCheckUrl" must be/ },
        bad,
      );
    }
  });
});

describe("the offline login of /token", () => {
  it("is announced to a person by a page that says why the provider asks again", async () => {
    await using ex = await startExample();
    // Logged in (a session), without offline access: /token needs a second login.
    const login = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    const state = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const back = await fetch(login.headers.get("location")!, { redirect: "manual" });
    const callback = await fetch(back.headers.get("location")!, {
      redirect: "manual",
      headers: { cookie: state },
    });
    await callback.body?.cancel();
    const session = callback.headers.getSetCookie().map((c) => c.split(";")[0])
      .filter((c) => c.includes("session")).join("; ");
    assert.ok(session, "the first login made a session");
    const page = await fetch(`${ex.tester.url}/token`, {
      headers: { ...BROWSER, cookie: session },
      redirect: "manual",
    });
    assert.equal(page.status, 200);
    const text = await page.text();
    assert.match(text, /<h1>One more step for a token<\/h1>/);
    assert.match(text, /needs <em>offline access<\/em>[\s\S]*your provider will ask you once more/);
    assert.match(text, /<a id="continue" href="\/login\?offline_token=true&#38;redirect=token">/);
    for (const headers of [{ cookie: session }, BROWSER]) {
      const other = await fetch(`${ex.tester.url}/token`, { headers, redirect: "manual" });
      assert.equal(other.status, 307, "a script, and a guest's first login, follow the redirect");
      await other.body?.cancel();
    }
  });
});
