import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMockProvider, type MockProvider } from "./mod.ts";
import { authorizeRequest, BASE, REDIRECT } from "./_test_util.ts";

/** The query of the redirect an authorization request answers with. */
async function authorizeRedirect(
  provider: MockProvider,
  params: Record<string, string | undefined> = {},
): Promise<URLSearchParams> {
  const response = await provider.fetch(authorizeRequest(params));
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get("Location")!);
  assert.equal(location.origin + location.pathname, REDIRECT);
  return location.searchParams;
}

async function postJson(provider: MockProvider, path: string, body: string, type: string) {
  const response = await provider.fetch(
    new Request(BASE + path, { method: "POST", headers: { "Content-Type": type }, body }),
  );
  return { status: response.status, body: await response.json() };
}

describe("createMockProvider()", () => {
  it("throws a TypeError naming the bad option", () => {
    const cases: [unknown, RegExp][] = [
      [{ email: "nope" }, /"email"/],
      [{ clock: 5 }, /"clock"/],
      [{ issuer: "ftp://x" }, /"issuer"/],
      [{ issuer: "http://x/?a=b" }, /"issuer"/],
      [{ accessTokenTtl: 0 }, /"accessTokenTtl"/],
      [{ accessTokenTtl: 1.5 }, /"accessTokenTtl"/],
      [{ emai: "a@b.c" }, /Unknown option "emai" \(did you mean "email"\?\)/],
      [{ clients: {} }, /"clients"/],
      [{ clients: [{ redirectUris: ["http://a/cb"] }] }, /"clients\[0\]\.clientId"/],
      [{ clients: [{ clientId: "a", redirectUris: [] }] }, /"clients\[0\]\.redirectUris"/],
      [
        { clients: [{ clientId: "a", redirectUris: ["/cb"] }] },
        /"clients\[0\]\.redirectUris\[0\]"/,
      ],
      [
        { clients: [{ clientId: "a", clientSecret: 5, redirectUris: ["http://a/cb"] }] },
        /clientSecret/,
      ],
      [
        { clients: [{ clientId: "a", redirectUri: ["http://a/cb"] }] },
        /"clients\[0\]\.redirectUri"/,
      ],
    ];
    for (const [options, message] of cases) {
      // deno-lint-ignore no-explicit-any -- deliberately wrong options
      assert.throws(() => createMockProvider(options as any), { name: "TypeError", message });
    }
  });

  it("has test@example.com as its default email, and setEmail() changes it", () => {
    const provider = createMockProvider();
    assert.equal(provider.email, "test@example.com");
    provider.setEmail("ada@example.com");
    assert.equal(provider.email, "ada@example.com");
    assert.throws(() => provider.setEmail("not an email"), TypeError);
    assert.equal(provider.email, "ada@example.com");
  });

  it("serves a discovery document whose issuer is the request's origin", async () => {
    const provider = createMockProvider();
    const response = await provider.fetch(new Request(`${BASE}/.well-known/openid-configuration`));
    const doc = await response.json();
    assert.equal(doc.issuer, BASE);
    assert.equal(doc.authorization_endpoint, `${BASE}/oauth2/auth`);
    assert.equal(doc.token_endpoint, `${BASE}/oauth2/token`);
    assert.equal(doc.userinfo_endpoint, `${BASE}/oauth2/userinfo`);
    assert.equal(doc.jwks_uri, `${BASE}/oauth2/certs`);
    assert.equal(doc.revocation_endpoint, `${BASE}/oauth2/revoke`);
    assert.deepEqual(doc.response_types_supported, ["code"]);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ["RS256"]);
    assert.deepEqual(doc.code_challenge_methods_supported, ["S256"]);
    for (const scope of ["openid", "email", "profile", "offline_access"]) {
      assert.ok(doc.scopes_supported.includes(scope), scope);
    }
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, [
      "client_secret_basic",
      "client_secret_post",
      "none",
    ]);
    assert.deepEqual(doc.response_modes_supported, ["query", "form_post"]);
    assert.equal(doc.request_parameter_supported, false);
    assert.equal(doc.request_uri_parameter_supported, false);
  });

  it("uses the configured issuer as the base of every endpoint", async () => {
    const provider = createMockProvider({ issuer: "https://example.com/idp/" });
    const response = await provider.fetch(new Request(`${BASE}/.well-known/openid-configuration`));
    const doc = await response.json();
    assert.equal(doc.issuer, "https://example.com/idp");
    assert.equal(doc.token_endpoint, "https://example.com/idp/oauth2/token");
  });

  it("serves one RS256 signing key with a kid", async () => {
    const provider = createMockProvider();
    const { keys } = await (await provider.fetch(new Request(`${BASE}/oauth2/certs`))).json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, "RSA");
    assert.equal(keys[0].alg, "RS256");
    assert.equal(typeof keys[0].kid, "string");
    assert.equal(keys[0].d, undefined, "no private part");
  });

  it("describes itself at GET /, as upstream's mock does", async () => {
    const provider = createMockProvider({ email: "ada@example.com" });
    const home = await (await provider.fetch(new Request(`${BASE}/`))).json();
    assert.equal(home.issuer, BASE);
    assert.equal(home.email, "ada@example.com");
    assert.equal(home.endpoints.authorization, `${BASE}/oauth2/auth`);
    assert.equal(home.endpoints.discovery, `${BASE}/.well-known/openid-configuration`);
  });

  it("answers /health, and a JSON 404 elsewhere", async () => {
    const provider = createMockProvider();
    const health = await provider.fetch(new Request(`${BASE}/health`));
    assert.deepEqual(await health.json(), { status: "ok" });
    const missing = await provider.fetch(new Request(`${BASE}/nope`));
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error, "not_found");
  });
});

describe("POST /set_email", () => {
  it("accepts JSON and form data, and sets who later logins are", async () => {
    const provider = createMockProvider();
    const json = await postJson(provider, "/set_email", '{"email": "a@b.c"}', "application/json");
    assert.deepEqual(json, {
      status: 200,
      body: { status: "ok", message: "Email set to a@b.c", email: "a@b.c" },
    });
    assert.equal(provider.email, "a@b.c");
    const form = await postJson(
      provider,
      "/set_email",
      "email=x%40y.z",
      "application/x-www-form-urlencoded",
    );
    assert.deepEqual(form.body, { status: "ok", message: "Email set to x@y.z", email: "x@y.z" });
    assert.equal(provider.email, "x@y.z");
  });

  it("answers 400 invalid_request to an invalid email or a malformed body", async () => {
    const provider = createMockProvider();
    const cases: [string, string][] = [
      ['{"email": "nope"}', "application/json"],
      ['{"email": 5}', "application/json"],
      ["{}", "application/json"],
      ["[1]", "application/json"],
      ["{not json", "application/json"],
      ["email=a%40b.c%0A", "application/x-www-form-urlencoded"],
      ["email=a@b.c", "text/plain"],
    ];
    for (const [body, type] of cases) {
      const answer = await postJson(provider, "/set_email", body, type);
      assert.equal(answer.status, 400, body);
      assert.equal(answer.body.error, "invalid_request", body);
      assert.equal(typeof answer.body.error_description, "string");
    }
    assert.equal(provider.email, "test@example.com");
  });

  it("answers 413 to a body over 64 KiB", async () => {
    const provider = createMockProvider();
    const big = JSON.stringify({ email: "a@b.c", pad: "x".repeat(70_000) });
    const answer = await postJson(provider, "/set_email", big, "application/json");
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error, "invalid_request");
  });
});

describe("GET /oauth2/auth", () => {
  it("redirects back at once with a code, the state and the issuer", async () => {
    const query = await authorizeRedirect(createMockProvider());
    assert.match(query.get("code")!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(query.get("state"), "st");
    assert.equal(query.get("iss"), BASE);
  });

  it("keeps the redirect_uri's own query parameters", async () => {
    const provider = createMockProvider();
    const response = await provider.fetch(authorizeRequest({ redirect_uri: REDIRECT + "?x=1" }));
    const location = new URL(response.headers.get("Location")!);
    assert.equal(location.searchParams.get("x"), "1");
    assert.ok(location.searchParams.has("code"));
  });

  it("answers 400 JSON, never a redirect, when client_id or redirect_uri is unsound", async () => {
    const provider = createMockProvider();
    const cases: Record<string, string | undefined>[] = [
      { client_id: undefined },
      { redirect_uri: undefined },
      { redirect_uri: "/relative" },
      { redirect_uri: "javascript:alert(1)" },
      { redirect_uri: "http://localhost:3000/auth#frag" },
    ];
    for (const params of cases) {
      const response = await provider.fetch(authorizeRequest(params));
      assert.equal(response.status, 400, JSON.stringify(params));
      assert.equal(response.headers.get("Location"), null);
      assert.equal((await response.json()).error, "invalid_request");
    }
    // A repeated parameter is ambiguous: which redirect_uri was meant?
    const repeated = new Request(authorizeRequest({}).url + "&redirect_uri=http%3A%2F%2Fevil.test");
    const response = await provider.fetch(repeated);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("Location"), null);
    await response.body?.cancel();
  });

  it("redirects other errors back with error and state (RFC 6749 §4.1.2.1)", async () => {
    const provider = createMockProvider();
    const cases: [Record<string, string | undefined>, string][] = [
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ response_type: undefined }, "invalid_request"],
      [{ scope: "email" }, "invalid_scope"],
      [{ code_challenge: "a".repeat(43), code_challenge_method: "plain" }, "invalid_request"],
      [{ code_challenge: "a".repeat(43) }, "invalid_request"],
      [{ code_challenge_method: "S256" }, "invalid_request"],
      [{ code_challenge: "short", code_challenge_method: "S256" }, "invalid_request"],
      [{ login_hint: "not-an-email" }, "invalid_request"],
      [{ access_type: "sometimes" }, "invalid_request"],
    ];
    for (const [params, error] of cases) {
      const query = await authorizeRedirect(provider, params);
      assert.equal(query.get("error"), error, JSON.stringify(params));
      assert.equal(query.get("state"), "st");
      assert.equal(query.get("code"), null);
    }
  });

  it("accepts prompt, nonce, access_type and unknown scopes", async () => {
    const query = await authorizeRedirect(createMockProvider(), {
      prompt: "select_account consent",
      nonce: "n",
      access_type: "offline",
      scope: "openid email https://example.com/custom",
    });
    assert.ok(query.has("code"));
  });

  it("also takes the authorization request as a POSTed form", async () => {
    const provider = createMockProvider();
    const body = new URLSearchParams({
      client_id: "app",
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "openid",
      state: "p",
    });
    const response = await provider.fetch(
      new Request(`${BASE}/oauth2/auth`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body,
      }),
    );
    assert.equal(response.status, 302);
    assert.equal(new URL(response.headers.get("Location")!).searchParams.get("state"), "p");
  });
});
