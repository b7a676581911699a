import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Example, loginWith, SECRET, startExample } from "../../testing/_fixtures.ts";
import { MAX_TOKENS_PER_ACCOUNT } from "./grants.ts";
import { OidcClient } from "../oidc/client.ts";
import { Sealer } from "../crypto/seal.ts";
import { SESSION_TTL } from "../credentials/session.ts";
import { USER_TOKEN_TTL } from "../credentials/tokens.ts";

const USERS = "ann@example.com: [read]\n";

/** Counts calls to the provider by path and grant type, and can make its token endpoint refuse refreshes. */
function provider() {
  const calls: string[] = [];
  const state = { refuseRefresh: false };
  const fetcher: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const body = request.method === "POST" ? await request.clone().text() : "";
    const grant = new URLSearchParams(body).get("grant_type");
    calls.push(grant ? `${path} ${grant}` : path);
    if (grant === "refresh_token" && state.refuseRefresh) {
      return Response.json({ error: "invalid_grant" }, { status: 400 });
    }
    return await fetch(request);
  };
  const count = (what: string) => calls.filter((c) => c.endsWith(what)).length;
  return { fetch: fetcher, state, count };
}

async function tokenFrom(browser: ReturnType<Example["tester"]["browser"]>): Promise<string> {
  return (await browser.get("/token")).json<{ refresh_token: string }>().refresh_token;
}

function bearer(ex: Example, token: string, path = "/read"): Promise<Response> {
  return fetch(`${ex.tester.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

async function statusOf(response: Promise<Response>): Promise<number> {
  const res = await response;
  await res.body?.cancel();
  return res.status;
}

async function revoke(ex: Example, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${ex.tester.url}/token/revoke`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  assert.equal(res.status, 200);
  return await res.json();
}

/** A refresh token of the mock for ann, obtained as the app's client would. */
function providerLogin(ex: Example) {
  return loginWith(
    new OidcClient({
      serverMetadataUrl: ex.mock.metadataUrl,
      clientId: "example-client",
      clientSecret: "example-secret",
      fetch,
      clock: ex.clock.read,
    }),
  );
}

describe("grants", () => {
  it("gives every token its own id: revoking one leaves the others and the session, logout leaves the tokens", async () => {
    await using ex = await startExample({ users: USERS });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    const tokens = [await tokenFrom(browser), await tokenFrom(browser), await tokenFrom(browser)];
    await revoke(ex, tokens[1]);
    assert.equal(await statusOf(bearer(ex, tokens[1])), 401);
    assert.equal(await statusOf(bearer(ex, tokens[0])), 200);
    assert.equal(await statusOf(bearer(ex, tokens[2])), 200);
    await browser.get("/read");
    await browser.get("/logout");
    await browser.get("/read", {}, { expect: 401 });
    assert.equal(await statusOf(bearer(ex, tokens[0])), 200);
    assert.equal(await statusOf(bearer(ex, tokens[2])), 200);
  });

  it("validates at the provider once per grant, however many tokens were minted from it", async () => {
    const calls = provider();
    await using ex = await startExample({ users: USERS, fetch: calls.fetch });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    const tokens = [];
    for (let i = 0; i < 30; i++) tokens.push(await tokenFrom(browser));
    ex.clock.advance(3700);
    const before = calls.count("refresh_token");
    const statuses = await Promise.all(tokens.map((t) => statusOf(bearer(ex, t))));
    assert.ok(statuses.every((s) => s === 200));
    assert.equal(calls.count("refresh_token") - before, 1);
  });

  it(`bounds the live tokens of an account at ${MAX_TOKENS_PER_ACCOUNT}, and frees a slot on revocation`, async () => {
    await using ex = await startExample({ users: USERS });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    let last = "";
    for (let i = 0; i < MAX_TOKENS_PER_ACCOUNT; i++) last = await tokenFrom(browser);
    const refused = await browser.get("/token", {}, { expect: 429 });
    assert.equal(refused.json<{ error: string }>().error, "too_many_tokens");
    await revoke(ex, last);
    await tokenFrom(browser);
  });

  it("marks a grant the provider refuses as dead: its tokens answer 401 and /token logs in again", async () => {
    const calls = provider();
    await using ex = await startExample({ users: USERS, fetch: calls.fetch });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    const token = await tokenFrom(browser);
    ex.clock.advance(3700);
    calls.state.refuseRefresh = true;
    assert.equal(await statusOf(bearer(ex, token)), 401);
    calls.state.refuseRefresh = false;
    assert.equal(await statusOf(bearer(ex, token)), 401, "dead stays dead");
    const codes = calls.count("authorization_code");
    const fresh = await tokenFrom(browser);
    assert.equal(calls.count("authorization_code"), codes + 1, "a new offline login");
    assert.equal(await statusOf(bearer(ex, fresh)), 200);
  });

  it("keeps the session cookie small whatever the length of the provider's refresh token", async () => {
    // The provider's refresh token made 5,000 characters long on the way in, and back on the way out.
    const pad = ".pad." + "x".repeat(5000);
    const padding: typeof fetch = async (input, init) => {
      let request = new Request(input, init);
      if (request.method === "POST") {
        const body = (await request.text()).replace(pad, "");
        request = new Request(request, { body });
      }
      const response = await fetch(request);
      if (!new URL(request.url).pathname.endsWith("/token")) return response;
      const json = await response.json();
      if (json.refresh_token) json.refresh_token += pad;
      return Response.json(json, { status: response.status });
    };
    await using ex = await startExample({ users: USERS, fetch: padding });
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    const token = await tokenFrom(browser);
    const session = browser.cookies(ex.tester.url).get("easy_oauth_session") ?? "";
    assert.ok(session.length > 0 && session.length < 1000, `${session.length} bytes`);
    assert.ok(token.length < 1000);
    ex.clock.advance(3700);
    assert.equal(await statusOf(bearer(ex, token)), 200);
  });

  it("revokes every login of an account at the provider when the account is revoked", async () => {
    const calls = provider();
    await using ex = await startExample({
      users: "ann@example.com: [read]\nroot@example.com: [admin]\n",
      fetch: calls.fetch,
    });
    await ex.mock.setEmail("ann@example.com");
    const first = ex.tester.browser();
    const second = ex.tester.browser();
    const tokens = [await tokenFrom(first), await tokenFrom(second)];
    const root = await ex.tester.client("root@example.com");
    await root.post("/token/revoke", { user: "ann@example.com" });
    assert.equal(calls.count("/oauth2/revoke"), 2, "one revocation per grant");
    ex.clock.advance(1);
    for (const token of tokens) assert.equal(await statusOf(bearer(ex, token)), 401);
    const codes = calls.count("authorization_code");
    assert.equal(await statusOf(bearer(ex, await tokenFrom(first))), 200);
    assert.equal(calls.count("authorization_code"), codes + 1, "/token logged in again");
  });

  it("keeps tokens and sessions of the old format (refresh token inside) working", async () => {
    await using ex = await startExample({ users: USERS });
    const { identity, refreshToken } = await providerLogin(ex);
    const sealer = new Sealer(SECRET, ex.clock.read);
    const old = { email: identity.email, sub: identity.sub, iss: identity.iss, rt: refreshToken };
    const token = await sealer.seal("user_token", old, { ttl: USER_TOKEN_TTL });
    assert.equal(await statusOf(bearer(ex, token)), 200);
    ex.clock.advance(3700);
    assert.equal(await statusOf(bearer(ex, token)), 200, "after a refresh through its grant");

    const session = await sealer.seal("session", old, { ttl: SESSION_TTL });
    const res = await fetch(`${ex.tester.url}/token`, {
      headers: { cookie: `easy_oauth_session=${session}` },
      redirect: "manual",
    });
    assert.equal(res.status, 200);
    const minted = (await res.json()).refresh_token;
    assert.equal(await statusOf(bearer(ex, minted)), 200);
    await revoke(ex, token);
    assert.equal(await statusOf(bearer(ex, token)), 401);
    assert.equal(await statusOf(bearer(ex, minted)), 200, "its sibling from the session lives");
  });

  it("keeps a token of the old format revoked by its id, though its grant is made again on use", async () => {
    // A provider that revokes nothing: the refresh token inside the old token stays good there.
    const keeps: typeof fetch = (input, init) =>
      new Request(input, init).url.endsWith("/oauth2/revoke")
        ? Promise.resolve(new Response("", { status: 503 }))
        : fetch(input, init);
    await using ex = await startExample({ users: USERS, fetch: keeps });
    const { identity, refreshToken } = await providerLogin(ex);
    const sealer = new Sealer(SECRET, ex.clock.read);
    const old = { email: identity.email, sub: identity.sub, iss: identity.iss, rt: refreshToken };
    const token = await sealer.seal("user_token", old, { ttl: USER_TOKEN_TTL });
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const mine = await fetch(`${ex.tester.url}/token/mine`, { headers });
    const { tokens } = await mine.json() as { tokens: { id: string }[] };
    assert.equal(tokens.length, 1);
    const res = await fetch(`${ex.tester.url}/token/revoke`, {
      method: "POST",
      headers,
      body: JSON.stringify({ id: tokens[0].id }),
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(await statusOf(bearer(ex, token)), 401);
    ex.clock.advance(2 * 86_400);
    assert.equal(await statusOf(bearer(ex, token)), 401, "past the day its grant's mark is kept");
  });
});
