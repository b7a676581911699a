import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Example, startExample } from "../../testing/_fixtures.ts";
import type { MockFault } from "../../testing/mod.ts";

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
