// The mock as `deno task mock` and `deno task demo` run it, without registered
// clients: it must not become an open redirector, a login without a page, or
// a way for another site to choose who logs in (issue 18, item 11).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMockProvider } from "./mod.ts";
import { authorizeRequest, BASE } from "./_test_util.ts";

describe("the mock without registered clients", () => {
  it("redirects only to loopback URIs, and says so in the error", async () => {
    const provider = createMockProvider();
    for (
      const uri of [
        "https://evil.example/steal",
        "http://10.0.0.1/auth",
        "http://localhost.evil.example/",
      ]
    ) {
      const res = await provider.fetch(authorizeRequest({ redirect_uri: uri }));
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers.get("location"), null);
      const body = await res.json();
      assert.equal(body.error, "invalid_request");
      assert.match(body.error_description, /loopback/);
    }
    for (
      const uri of [
        "http://localhost:8000/auth",
        "http://127.0.0.1:9/token",
        "http://[::1]:8000/auth",
      ]
    ) {
      const res = await provider.fetch(authorizeRequest({ redirect_uri: uri }));
      assert.equal(res.status, 302, uri);
      assert.ok(res.headers.get("location")!.startsWith(uri + "?"));
    }
  });

  it("takes the login page's choice only from its own form post, never from a link's query", async () => {
    const provider = createMockProvider({ loginPage: true, email: "ada@example.com" });
    const linked = await provider.fetch(
      authorizeRequest({ mock_action: "login", mock_email: "eve@example.com" }),
    );
    assert.equal(linked.status, 200, "the page is shown");
    assert.match(await linked.text(), /<form method="post"/);
    const query = new URL(authorizeRequest().url).searchParams;
    query.set("mock_action", "login");
    query.set("mock_email", "eve@example.com");
    const crossSite = await provider.fetch(
      new Request(`${BASE}/oauth2/auth`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
        },
        body: query,
      }),
    );
    assert.equal(crossSite.status, 200, "another site's form gets the page, not a code");
    assert.equal(crossSite.headers.get("location"), null);
    const own = await provider.fetch(
      new Request(`${BASE}/oauth2/auth`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: BASE,
          "sec-fetch-site": "same-origin",
        },
        body: query,
      }),
    );
    assert.equal(own.status, 302);
    assert.ok(new URL(own.headers.get("location")!).searchParams.get("code"));
  });

  it("refuses POST /set_email from another site, and keeps the email", async () => {
    const provider = createMockProvider({ email: "ada@example.com" });
    for (
      const headers of <Record<string, string>[]> [
        { origin: "https://evil.example" },
        { origin: "null" },
        { "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site" },
      ]
    ) {
      const res = await provider.fetch(
        new Request(`${BASE}/set_email`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
          body: "email=eve%40example.com",
        }),
      );
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal((await res.json()).error, "cross_site_request");
    }
    const own = await provider.fetch(
      new Request(`${BASE}/set_email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ email: "bob@example.com" }),
      }),
    );
    assert.equal(own.status, 200);
    assert.equal(
      (await (await provider.fetch(new Request(`${BASE}/`))).json()).email,
      "bob@example.com",
    );
  });
});
