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
