// The authorization endpoint's OpenID Connect parameters: max_age and auth_time,
// request objects, response modes; and the profile claims of what follows.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { createMockProvider } from "./mod.ts";
import { authorizeRequest, login, REDIRECT, userinfo } from "./_test_util.ts";

describe("auth_time and max_age", () => {
  it("puts auth_time in every ID token, renewed only when max_age is exceeded or prompt=login", async () => {
    let now = 1_000_000_000;
    const provider = createMockProvider({ clock: () => now });
    const first = decodeJwt((await login(provider)).id_token);
    assert.equal(first.auth_time, 1_000_000, "the first login authenticates now");
    now += 100_000;
    const again = decodeJwt((await login(provider)).id_token);
    assert.equal(again.auth_time, 1_000_000, "the session is reused");
    const young = decodeJwt((await login(provider, { max_age: "200" })).id_token);
    assert.equal(young.auth_time, 1_000_000, "100 s old is young enough for max_age=200");
    const fresh = decodeJwt((await login(provider, { max_age: "50" })).id_token);
    assert.equal(fresh.auth_time, 1_000_100, "100 s old is too old for max_age=50");
    now += 10_000;
    const forced = decodeJwt((await login(provider, { prompt: "login" })).id_token);
    assert.equal(forced.auth_time, 1_000_110);
  });

  it("refuses a max_age that is not a whole number of seconds", async () => {
    const response = await createMockProvider().fetch(authorizeRequest({ max_age: "-1" }));
    const query = new URL(response.headers.get("Location")!).searchParams;
    assert.equal(query.get("error"), "invalid_request");
  });
});

describe("request objects and response modes", () => {
  it("answers request_not_supported and request_uri_not_supported instead of ignoring them", async () => {
    const provider = createMockProvider();
    const cases: [Record<string, string>, string][] = [
      [{ request: "eyJhbGciOiJub25lIn0.e30." }, "request_not_supported"],
      [{ request_uri: "https://client.example/request.jwt" }, "request_uri_not_supported"],
      [{ response_mode: "fragment" }, "unsupported_response_mode"],
    ];
    for (const [params, error] of cases) {
      const response = await provider.fetch(authorizeRequest(params));
      assert.equal(response.status, 302, error);
      const query = new URL(response.headers.get("Location")!).searchParams;
      assert.equal(query.get("error"), error);
      assert.equal(query.get("state"), "st");
      assert.equal(query.get("code"), null);
    }
  });

  it("answers response_mode=form_post with a page that posts the code, state and issuer", async () => {
    const provider = createMockProvider();
    const response = await provider.fetch(
      authorizeRequest({ response_mode: "form_post", state: '"><script>x</script>' }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("Location"), null);
    assert.equal(response.headers.get("Cache-Control"), "no-store");
    assert.match(response.headers.get("Content-Type")!, /^text\/html/);
    const html = await response.text();
    assert.ok(html.includes(`<form method="post" action="${REDIRECT}">`), html);
    assert.match(html, /onload="document\.forms\[0\]\.submit\(\)"/);
    assert.match(html, /<input type="hidden" name="code" value="[A-Za-z0-9_-]{43}">/);
    assert.ok(html.includes('name="state" value="&#34;&#62;&#60;script&#62;x&#60;/script&#62;"'));
    assert.ok(!html.includes("<script>"), "the state is escaped");
    assert.match(html, /name="iss" value="http:\/\/idp\.test"/);
  });
});

describe("profile claims", () => {
  it("puts given_name, family_name and picture in the ID token and userinfo", async () => {
    const provider = createMockProvider({ email: "jane.doe@example.com" });
    const tokens = await login(provider, { scope: "openid email profile" });
    const claims = decodeJwt(tokens.id_token);
    const info = (await userinfo(provider, tokens.access_token)).body;
    for (const source of [claims, info]) {
      assert.equal(source.name, "Jane Doe");
      assert.equal(source.given_name, "Jane");
      assert.equal(source.family_name, "Doe");
      assert.match(String(source.picture), /^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}/);
    }
    assert.equal(info.sub, claims.sub);
  });
});
