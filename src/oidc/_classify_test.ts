import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Example, startExample } from "../../testing/_fixtures.ts";
import type { MockFault } from "../../testing/mod.ts";
import { classify, TOKEN_ERRORS } from "./_classify.ts";

async function tokenOf(ex: Example): Promise<string> {
  await ex.mock.setEmail("ann@example.com");
  return (await ex.tester.browser().get("/token")).json<{ refresh_token: string }>().refresh_token;
}

async function bearer(ex: Example, token: string) {
  const res = await fetch(`${ex.tester.url}/read`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return { status: res.status, body: (res.ok ? {} : JSON.parse(text)) as { error?: string } };
}

/** The example app with a token of ann's, whose next use refreshes at a token endpoint answering `fault`. */
async function refreshMeeting(fault: MockFault) {
  const ex = await startExample({ users: "ann@example.com: [read]\n" });
  const token = await tokenOf(ex);
  ex.clock.advance(3700);
  ex.mock.fail("token", { ...fault, times: Infinity });
  return { ex, token };
}

describe("provider failures are classified by HTTP status and OAuth error", () => {
  const failures: [string, MockFault][] = [
    ["a 500", { status: 500, body: "<h1>oops</h1>" }],
    ["a 503 with an OAuth error", { status: 503, error: "temporarily_unavailable" }],
    ["a 200 that is not JSON", { body: "<html>" }],
    ["a 200 without an access token", { body: JSON.stringify({ token_type: "bearer" }) }],
    ["a 400 that is not OAuth JSON", { status: 400, body: "bad gateway" }],
    // A busy provider is an outage, not a refusal: the grant survives it (issue 9 item 6).
    ["a 429 too_many_requests", { status: 429, error: "too_many_requests" }],
    ["a 400 temporarily_unavailable", { error: "temporarily_unavailable" }],
    ["a 400 with an unknown error", { error: "overloaded" }],
    [
      "a 200 whose ID token is not a JWT",
      { body: JSON.stringify({ access_token: "a", token_type: "bearer", id_token: "not-a-jwt" }) },
    ],
  ];
  for (const [what, fault] of failures) {
    it(`answers 503 provider_unavailable, and logs it, when the token endpoint answers ${what}`, async () => {
      const { ex, token } = await refreshMeeting(fault);
      await using _ = ex;
      const res = await bearer(ex, token);
      assert.deepEqual([res.status, res.body.error], [503, "provider_unavailable"]);
      assert.ok(
        ex.logs.some((l) => /identity provider failed.*answered 503/.test(l)),
        ex.logs.join("\n"),
      );
      ex.mock.heal();
      assert.equal((await bearer(ex, token)).status, 200, "the grant survived");
    });
  }

  it("answers 503 to a refresh whose userinfo answers an unreadable 200, and the grant survives", async () => {
    const state = { glitch: false };
    const fetcher: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (state.glitch && new URL(request.url).pathname === "/oauth2/userinfo") {
        return new Response("<html>502 Bad Gateway</html>", {
          headers: { "content-type": "text/html" },
        });
      }
      const body = request.method === "POST" ? await request.clone().text() : "";
      const res = await fetch(request);
      if (new URLSearchParams(body).get("grant_type") !== "refresh_token" || !res.ok) return res;
      // No ID token in a refresh answer (OIDC Core §12.2): the email comes from userinfo.
      const { id_token: _, ...rest } = await res.json();
      return Response.json(rest);
    };
    await using ex = await startExample({ users: "ann@example.com: [read]\n", fetch: fetcher });
    const token = await tokenOf(ex);
    ex.clock.advance(3700);
    state.glitch = true;
    const res = await bearer(ex, token);
    assert.deepEqual([res.status, res.body.error], [503, "provider_unavailable"]);
    assert.ok(ex.logs.some((l) => /userinfo answer is invalid.*answered 503/.test(l)));
    state.glitch = false;
    assert.equal((await bearer(ex, token)).status, 200, "the grant survived");
  });

  it("answers 401 when the provider refuses the grant (invalid_grant)", async () => {
    const { ex, token } = await refreshMeeting({ error: "invalid_grant" });
    await using _ = ex;
    assert.deepEqual((await bearer(ex, token)).status, 401);
  });

  it("answers 502 provider_misconfigured when a refresh meets invalid_client", async () => {
    const { ex, token } = await refreshMeeting({
      status: 401,
      error: "invalid_client",
      headers: { "www-authenticate": 'Basic realm="x"' },
    });
    await using _ = ex;
    const res = await bearer(ex, token);
    assert.deepEqual([res.status, res.body.error], [502, "provider_misconfigured"]);
    assert.ok(ex.logs.some((l) => /refused the client credentials/.test(l)));
  });

  it("answers 502 provider_misconfigured to a login whose redirect_uri the provider rejects", async () => {
    await using ex = await startExample();
    ex.mock.fail("token", { error: "redirect_uri_mismatch" });
    const page = await ex.tester.browser().get("/login", {}, { expect: 502 });
    assert.equal(page.json<{ error: string }>().error, "provider_misconfigured");
    assert.ok(ex.logs.some((l) => /rejects the redirect_uri.*baseUrl/.test(l)), ex.logs.join("\n"));
  });

  for (
    const [what, fault] of [
      ["a 500", { status: 500, body: "down" }],
      ["garbage", { body: "{not json" }],
    ] as const
  ) {
    it(`answers 502 provider_unavailable to a login when the JWKS endpoint answers ${what}`, async () => {
      await using ex = await startExample();
      ex.mock.fail("jwks", fault);
      const page = await ex.tester.browser().get("/login", {}, { expect: 502 });
      assert.equal(page.json<{ error: string }>().error, "provider_unavailable");
      assert.ok(ex.logs.some((l) => /JWKS endpoint answered/.test(l)), ex.logs.join("\n"));
    });
  }
});

describe("TOKEN_ERRORS: one table, one test per row", () => {
  // An example answer of each row, in the table's order.
  const examples: [number, string | undefined][] = [
    [503, "temporarily_unavailable"],
    [400, "redirect_uri_mismatch"],
    [401, "invalid_client"],
    [401, "access_denied"],
    [400, "interaction_required"],
    [400, "not_allowed"],
    [400, "invalid_scope"],
    [400, "overloaded"],
  ];

  it("has an example answer for every row, matched by that row", () => {
    assert.equal(examples.length, TOKEN_ERRORS.length);
    examples.forEach(([status, error], i) => {
      assert.equal(classify(status, error), TOKEN_ERRORS[i], `row ${i}: ${status} ${error}`);
    });
  });

  for (const code of ["unauthorized_client", "invalid_client"]) {
    it(`answers 502 provider_misconfigured, and logs what to check, when a refresh meets ${code}`, async () => {
      const { ex, token } = await refreshMeeting({ status: 400, error: code });
      await using _ = ex;
      const res = await bearer(ex, token);
      assert.deepEqual([res.status, res.body.error], [502, "provider_misconfigured"]);
      assert.ok(
        ex.logs.some((l) => l.includes(`(400 ${code}): check clientId, clientSecret`)),
        ex.logs.join("\n"),
      );
    });
  }

  it("answers 502 provider_misconfigured to Auth0's 401 access_denied for a wrong client secret", async () => {
    const { ex, token } = await refreshMeeting({
      status: 401,
      error: "access_denied",
      description: "Unauthorized",
    });
    await using _ = ex;
    const res = await bearer(ex, token);
    assert.deepEqual([res.status, res.body.error], [502, "provider_misconfigured"]);
    assert.ok(
      ex.logs.some((l) => /401 access_denied\): check clientId, clientSecret/.test(l)),
      ex.logs.join("\n"),
    );
  });

  it("answers 502 provider_misconfigured to a login whose code exchange meets Auth0's 401 access_denied", async () => {
    await using ex = await startExample();
    ex.mock.fail("token", { status: 401, error: "access_denied" });
    const page = await ex.tester.browser().get("/login", {}, { expect: 502 });
    assert.equal(page.json<{ error: string }>().error, "provider_misconfigured");
  });

  for (
    const code of [
      "interaction_required",
      "login_required",
      "consent_required",
      "account_selection_required",
    ]
  ) {
    it(`ends the grant with a 401 "log in again" when a refresh meets ${code} (OIDC Core §3.1.2.6)`, async () => {
      const { ex, token } = await refreshMeeting({ error: code });
      await using _ = ex;
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = await res.json();
      assert.equal(res.status, 401);
      assert.match(body.detail, /log in again/);
      assert.match(res.headers.get("www-authenticate") ?? "", /invalid_token/);
      ex.mock.heal();
      assert.equal((await bearer(ex, token)).status, 401, "the grant ended");
    });
  }

  it("answers Keycloak's not_allowed at an offline login with a 403 naming the offline access role", async () => {
    await using ex = await startExample();
    ex.mock.fail("token", {
      error: "not_allowed",
      description: "Offline tokens not allowed for the user or client",
    });
    const page = await ex.tester.browser().get("/token", {}, { expect: 403 });
    assert.match(page.text, /offline_not_allowed/);
    assert.match(page.text, /offline_access/);
    assert.ok(ex.logs.some((l) => /does not allow offline access/.test(l)), ex.logs.join("\n"));
  });

  it("ends the grant when a refresh meets Keycloak's not_allowed (offline access withdrawn)", async () => {
    const { ex, token } = await refreshMeeting({ error: "not_allowed" });
    await using _ = ex;
    assert.equal((await bearer(ex, token)).status, 401);
    ex.mock.heal();
    assert.equal((await bearer(ex, token)).status, 401, "the grant ended");
  });

  it("answers 400 login_failed to a login whose token endpoint refuses the request (invalid_scope)", async () => {
    await using ex = await startExample();
    ex.mock.fail("token", { error: "invalid_scope" });
    const page = await ex.tester.browser().get("/login", {}, { expect: 400 });
    assert.equal(page.json<{ error: string }>().error, "login_failed");
  });

  it("refuses with a 400, not a 500, a login whose userinfo names another subject (OIDC Core §5.3.2)", async () => {
    const fetcher: typeof fetch = async (input, init) => {
      const res = await fetch(new Request(input, init));
      if (!new URL(res.url).pathname.endsWith("/userinfo") || !res.ok) return res;
      return Response.json({ ...(await res.json()), sub: "someone-else" });
    };
    await using ex = await startExample({ fetch: fetcher });
    ex.mock.setQuirks({ emailInUserinfoOnly: true });
    const page = await ex.tester.browser().get("/login", {}, { expect: 400 });
    assert.equal(page.json<{ error: string }>().error, "login_failed");
    assert.match(page.json<{ detail: string }>().detail, /another person/);
  });
});
