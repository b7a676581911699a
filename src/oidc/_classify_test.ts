import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Example, startExample } from "../../testing/_fixtures.ts";

/** A provider whose answers on one path can be replaced while the test runs. */
function breakable() {
  const broken = new Map<string, () => Response | Promise<Response>>();
  const fetcher: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    const answer = broken.get(new URL(request.url).pathname);
    return answer ? Promise.resolve(answer()) : fetch(request);
  };
  return { fetch: fetcher, broken };
}

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

/** The example app with a token of ann's, whose next use refreshes at a token endpoint answering `answer`. */
async function refreshMeeting(answer: () => Response) {
  const provider = breakable();
  const ex = await startExample({ users: "ann@example.com: [read]\n", fetch: provider.fetch });
  const token = await tokenOf(ex);
  ex.clock.advance(3700);
  provider.broken.set("/oauth2/token", answer);
  return { ex, token, provider };
}

describe("provider failures are classified by HTTP status and OAuth error", () => {
  const failures: [string, () => Response][] = [
    ["a 500", () => new Response("<h1>oops</h1>", { status: 500 })],
    [
      "a 503 with an OAuth error",
      () => Response.json({ error: "temporarily_unavailable" }, { status: 503 }),
    ],
    ["a 200 that is not JSON", () => new Response("<html>", { status: 200 })],
    ["a 200 without an access token", () => Response.json({ token_type: "bearer" })],
    ["a 400 that is not OAuth JSON", () => new Response("bad gateway", { status: 400 })],
  ];
  for (const [what, answer] of failures) {
    it(`answers 503 provider_unavailable, and logs it, when the token endpoint answers ${what}`, async () => {
      const { ex, token, provider } = await refreshMeeting(answer);
      await using _ = ex;
      const res = await bearer(ex, token);
      assert.deepEqual([res.status, res.body.error], [503, "provider_unavailable"]);
      assert.ok(
        ex.logs.some((l) => /identity provider failed.*answered 503/.test(l)),
        ex.logs.join("\n"),
      );
      provider.broken.clear();
      assert.equal((await bearer(ex, token)).status, 200, "the grant survived");
    });
  }

  it("answers 401 when the provider refuses the grant (invalid_grant)", async () => {
    const { ex, token } = await refreshMeeting(() =>
      Response.json({ error: "invalid_grant" }, { status: 400 })
    );
    await using _ = ex;
    assert.deepEqual((await bearer(ex, token)).status, 401);
  });

  it("answers 502 provider_misconfigured when a refresh meets invalid_client", async () => {
    const { ex, token } = await refreshMeeting(() =>
      Response.json({ error: "invalid_client" }, {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="x"' },
      })
    );
    await using _ = ex;
    const res = await bearer(ex, token);
    assert.deepEqual([res.status, res.body.error], [502, "provider_misconfigured"]);
    assert.ok(ex.logs.some((l) => /refused the client credentials/.test(l)));
  });

  it("answers 502 provider_misconfigured to a login whose redirect_uri the provider rejects", async () => {
    const provider = breakable();
    provider.broken.set(
      "/oauth2/token",
      () => Response.json({ error: "redirect_uri_mismatch" }, { status: 400 }),
    );
    await using ex = await startExample({ fetch: provider.fetch });
    const page = await ex.tester.browser().get("/login", {}, { expect: 502 });
    assert.equal(page.json<{ error: string }>().error, "provider_misconfigured");
    assert.ok(ex.logs.some((l) => /rejects the redirect_uri.*baseUrl/.test(l)), ex.logs.join("\n"));
  });

  for (
    const [what, answer] of [
      ["a 500", () => new Response("down", { status: 500 })],
      ["garbage", () => new Response("{not json", { status: 200 })],
    ] as const
  ) {
    it(`answers 502 provider_unavailable to a login when the JWKS endpoint answers ${what}`, async () => {
      const provider = breakable();
      provider.broken.set("/oauth2/certs", answer);
      await using ex = await startExample({ fetch: provider.fetch });
      const page = await ex.tester.browser().get("/login", {}, { expect: 502 });
      assert.equal(page.json<{ error: string }>().error, "provider_unavailable");
      assert.ok(ex.logs.some((l) => /JWKS endpoint answered/.test(l)), ex.logs.join("\n"));
    });
  }
});
