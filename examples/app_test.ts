import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OAuthManager } from "../mod.ts";
import { createMockProvider } from "../mock/mod.ts";
import { createApp, exampleOptions } from "./app.ts";
import { serveExample } from "./_serve_example.ts";

describe("the example app", () => {
  it("lets announcers shout, others read, and guests log in first", async () => {
    await using ex = await serveExample();
    const { mock, tester } = ex;
    const friend = await tester.client("friend@rainbows.com");
    assert.equal(
      (await friend.get("/shout", { message: "hi" })).text,
      'friend@rainbows.com shouts "hi"',
    );
    const pierre = await tester.client("pierre-jean-jacques@youhou.fr");
    await pierre.get("/shout", { message: "hi" }, { expect: 403 });
    await pierre.get("/read");
    const stranger = await tester.client("stranger@example.com");
    await stranger.get("/read"); // a default capability
    await stranger.post("/write", undefined, { expect: 403 });
    const browser = tester.browser();
    await mock.setEmail("friend@rainbows.com");
    assert.equal(
      (await browser.get("/shout", { message: "yo" })).text,
      'friend@rainbows.com shouts "yo"',
    );
    assert.match((await browser.get("/")).text, /You are friend@rainbows.com/);
  });

  it("answers 400, never 5xx, to a hostile POST /switch_user body", async () => {
    const provider = createMockProvider();
    const oauth = new OAuthManager(
      exampleOptions(
        "http://127.0.0.1:9/.well-known/openid-configuration",
        "FSFi0JVwvwaVhox2ZlS7IvQkXWoNwLeWZuBQGQgiC7k",
      ),
    );
    const app = createApp(oauth, { switchUser: (email) => provider.setEmail(email) });
    const cases: [string, string][] = [
      ["multipart/form-data", "garbage"],
      ["multipart/form-data; boundary=x", "garbage"],
      ["application/x-www-form-urlencoded", "email=" + "a".repeat(300) + "@b.c"],
      ["application/json", '{"email":"a@b.c"}'],
    ];
    for (const [type, body] of cases) {
      const r = await app.request("http://127.0.0.1/switch_user", {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
      assert.equal(r.status, 400, `${type}: ${await r.text()}`);
    }
  });

  it("looks like the pages the module ships: a styled home page and 404, and a favicon", async () => {
    const oauth = new OAuthManager(
      exampleOptions(
        "http://127.0.0.1:9/.well-known/openid-configuration",
        "wP4sRz8Kq1nYc6Lb0Tf3Vx9Gm2Hd7Ju5Ea_Qo-Ni3Zk",
      ),
    );
    const app = createApp(oauth);
    const browser = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const home = await app.request("http://127.0.0.1/", { headers: browser });
    assert.equal(home.status, 200);
    assert.match(home.headers.get("content-security-policy")!, /default-src 'none'/);
    const page = await home.text();
    assert.match(page, /<style>body\{font:16px\/1\.5 system-ui,sans-serif/);
    assert.match(page, /<p id="who">You are nobody \(a guest\)\.<\/p>/);
    const missing = await app.request("http://127.0.0.1/nope<x>", { headers: browser });
    assert.equal(missing.status, 404);
    const notFound = await missing.text();
    assert.match(notFound, /<h1>Page not found<\/h1>/);
    assert.match(notFound, /<style>body\{font:16px\/1\.5 system-ui/);
    assert.match(notFound, /<code>\/nope%3Cx%3E<\/code>|<code>\/nope&#60;x&#62;<\/code>/);
    const script = await app.request("http://127.0.0.1/nope");
    assert.equal(script.status, 404);
    assert.deepEqual(await script.json(), { error: "not_found", detail: "No such page." });
    const icon = await app.request("http://127.0.0.1/favicon.ico");
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get("content-type"), "image/svg+xml");
    assert.match(await icon.text(), /^<svg /);
  });
});
