// A user ended at the provider keeps nothing: her session and the tokens made
// from her logins end with the grant, as her user token does (issue 18, item 1).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../testing/_fixtures.ts";

const USERS = "ann@example.com: [user_management, read]\nbot@service: [read]\n";
const DAY = 24 * 3600;

describe("a grant the provider ended", () => {
  it("ends the session and every token made from it, 12 days later as at once", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    const apiToken = (await ann.post("/token/api", {
      name: "ci",
      capabilities: ["read"],
      expires_in: 60 * DAY,
    })).json<{ api_token: string }>().api_token;
    const serviceToken = (await ann.get("/token", { user: "bot@service" }))
      .json<{ service_token: string }>().service_token;
    await ex.mock.setEmail("ann@example.com");
    // A session whose login kept a refresh token (every login through /token does).
    const browser = ex.tester.browser();
    await browser.get("/token");
    const fromSession = (await browser.post("/token/api", {
      name: "nightly",
      capabilities: ["read"],
      expires_in: 60 * DAY,
    }, { headers: { origin: ex.tester.url } })).json<{ api_token: string }>().api_token;
    const read = async (token: string) => {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.body?.cancel();
      return res.status;
    };
    const all = async () => ({
      user: await read(ann.token!),
      api: await read(apiToken),
      service: await read(serviceToken),
      apiFromSession: await read(fromSession),
      session: (await browser.get("/read", undefined, { expect: null })).status,
    });
    assert.deepEqual(await all(), {
      user: 200,
      api: 200,
      service: 200,
      apiFromSession: 200,
      session: 200,
    });
    // The account is disabled at the provider: every refresh is refused.
    ex.mock.fail("token", { error: "invalid_grant", times: Infinity });
    ex.clock.advance(12 * DAY);
    assert.deepEqual(await all(), {
      user: 401,
      api: 401,
      service: 401,
      apiFromSession: 401,
      session: 401,
    });
    const me = await browser.get("/hello", undefined, { expect: null });
    assert.equal(me.text, "hello guest", "the session is gone, public pages still answer");
  });

  it("remembers a grant the provider ended for as long as a token made under it may live", async () => {
    // A provider that gives a plain login a refresh token too (Keycloak does): the
    // grant of a session lives the session's 14 days, what it made up to a year.
    const withRefreshToken: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const body = request.method === "POST" ? await request.clone().text() : "";
      const res = await fetch(request);
      if (new URLSearchParams(body).get("grant_type") !== "authorization_code") return res;
      const answer = await res.json();
      return Response.json({ refresh_token: "plain-login-rt", ...answer }, { status: res.status });
    };
    await using ex = await startExample({ users: USERS, fetch: withRefreshToken });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const made = (await browser.post("/token/api", {
      name: "nightly",
      capabilities: ["read"],
      expires_in: 60 * DAY,
    }, { headers: { origin: ex.tester.url } })).json<{ api_token: string }>().api_token;
    const read = async () => {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${made}` },
      });
      await res.body?.cancel();
      return res.status;
    };
    assert.equal(await read(), 200);
    ex.mock.fail("token", { error: "invalid_grant", times: Infinity });
    ex.clock.advance(2 * DAY);
    assert.equal(await read(), 401, "ended with its grant");
    ex.clock.advance(20 * DAY);
    assert.equal(await read(), 401, "past the 14 days the session's grant was to live");
  });

  it("checks a session's grant as a token's: an outage is a 503, and the session survives it", async () => {
    await using ex = await startExample({ users: USERS });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    await browser.get("/token");
    ex.clock.advance(3700);
    ex.mock.fail("token", { status: 503, error: "temporarily_unavailable", times: Infinity });
    const down = await browser.get("/read", undefined, { expect: null });
    assert.equal(down.status, 503);
    assert.equal(down.json<{ error: string }>().error, "provider_unavailable");
    ex.mock.heal();
    assert.equal(
      (await browser.get("/read", undefined, { expect: null })).text,
      "read by ann@example.com",
    );
  });
});
