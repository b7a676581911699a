// Registered clients: the mock refuses what a real provider refuses.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMockProvider } from "./mod.ts";
import { authorizeRequest, basic, codeFor, post, REDIRECT } from "./_test_util.ts";

const registered = () =>
  createMockProvider({
    clients: [
      { clientId: "app", clientSecret: "s3cret-._~", redirectUris: [REDIRECT] },
      { clientId: "spa", redirectUris: ["http://localhost:5173/cb"] },
    ],
  });

const exchange = (code: string, headers: Record<string, string>, extra = {}) => ({
  params: { grant_type: "authorization_code", code, redirect_uri: REDIRECT, ...extra },
  headers,
});

describe("createMockProvider({ clients })", () => {
  it("exchanges a code for a registered client with its secret, basic or post", async () => {
    const provider = registered();
    const viaBasic = exchange(await codeFor(provider), {
      Authorization: basic("app", "s3cret-._~"),
    });
    assert.equal(
      (await post(provider, "/oauth2/token", viaBasic.params, viaBasic.headers)).status,
      200,
    );
    const viaPost = exchange(await codeFor(provider), {}, {
      client_id: "app",
      client_secret: "s3cret-._~",
    });
    assert.equal(
      (await post(provider, "/oauth2/token", viaPost.params, viaPost.headers)).status,
      200,
    );
  });

  it("answers 401 invalid_client with WWW-Authenticate to a wrong secret or an unknown client", async () => {
    const provider = registered();
    const code = await codeFor(provider);
    const cases: Record<string, string>[] = [
      { Authorization: basic("app", "wrong") },
      { Authorization: basic("app", "") },
      { Authorization: basic("stranger", "s3cret-._~") },
      {},
    ];
    for (const headers of cases) {
      const { params } = exchange(code, headers);
      const answer = await post(provider, "/oauth2/token", params, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.body.error, "invalid_client");
      assert.match(answer.headers.get("WWW-Authenticate")!, /^Basic /);
    }
    const posted = await post(provider, "/oauth2/token", {
      ...exchange(code, {}).params,
      client_id: "app",
      client_secret: "wrong",
    }, {});
    assert.equal(posted.status, 401);
    const revoke = await post(provider, "/oauth2/revoke", { token: "x" }, {
      Authorization: basic("app", "wrong"),
    });
    assert.equal(revoke.status, 401, "the revocation endpoint authenticates too");
  });

  it("lets a public client (no secret) send its client_id alone, and nothing more", async () => {
    const provider = registered();
    const redirect = "http://localhost:5173/cb";
    const login = await provider.fetch(
      authorizeRequest({ client_id: "spa", redirect_uri: redirect }),
    );
    const code = new URL(login.headers.get("Location")!).searchParams.get("code")!;
    const params = { grant_type: "authorization_code", code, redirect_uri: redirect };
    const withSecret = await post(provider, "/oauth2/token", params, {
      Authorization: basic("spa"),
    });
    assert.equal(withSecret.status, 401);
    const alone = await post(provider, "/oauth2/token", { ...params, client_id: "spa" }, {});
    assert.equal(alone.status, 200);
  });

  it("answers an error page, never a redirect, to an unknown client or unregistered redirect_uri", async () => {
    const provider = registered();
    const cases = [
      { client_id: "stranger" },
      { redirect_uri: "http://localhost:3000/other" },
      { redirect_uri: REDIRECT + "?x=1" },
      { client_id: "spa" },
    ];
    for (const params of cases) {
      const response = await provider.fetch(authorizeRequest(params));
      assert.equal(response.status, 400, JSON.stringify(params));
      assert.equal(response.headers.get("Location"), null);
      assert.equal((await response.json()).error, "invalid_request");
    }
    // A browser gets a page that says why, escaped.
    const page = await provider.fetch(
      new Request(authorizeRequest({ client_id: "<b>stranger</b>" }), {
        headers: { Accept: "text/html,application/xhtml+xml" },
      }),
    );
    assert.equal(page.status, 400);
    assert.match(page.headers.get("Content-Type")!, /^text\/html/);
    const html = await page.text();
    assert.match(html, /invalid_request/);
    assert.ok(html.includes("&#60;b&#62;stranger"), html);
  });

  it("stays lenient without clients: any id, any secret, any redirect_uri", async () => {
    const provider = createMockProvider();
    const code = await codeFor(provider, { client_id: "whoever" });
    const { params, headers } = exchange(code, { Authorization: basic("whoever", "anything") });
    assert.equal((await post(provider, "/oauth2/token", params, headers)).status, 200);
  });
});
