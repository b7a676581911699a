import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";
import { TOKEN_USERS as USERS } from "./_test_util.ts";

describe("API tokens", () => {
  it("makes a capability-scoped token, lists it, and lets it be revoked", async () => {
    await using ex = await startExample({ users: USERS });
    const manager = await ex.tester.client("manager@example.com");
    const res = await manager.post("/token/api", {
      name: "ci-deploy",
      capabilities: ["write"],
      expires_in: 86400,
    });
    const body = res.json<
      { api_token: string; id: string; name: string; capabilities: string[]; expires_at: number }
    >();
    assert.equal(body.name, "ci-deploy");
    assert.deepEqual(body.capabilities, ["write"]);
    assert.equal(body.expires_at, ex.clock.now / 1000 + 86400);
    const headers = { authorization: `Bearer ${body.api_token}` };
    const written = await fetch(`${ex.tester.url}/write`, { headers });
    assert.equal(await written.text(), "written by api:ci-deploy");
    const read = await fetch(`${ex.tester.url}/read`, { headers });
    assert.equal(read.status, 200, "write implies read");
    await read.body?.cancel();
    const shout = await fetch(`${ex.tester.url}/shout`, { headers });
    assert.equal(shout.status, 403);
    await shout.body?.cancel();

    const list = (await manager.get("/token/api")).json<
      { tokens: { id: string; name: string }[] }
    >();
    assert.deepEqual(list.tokens.map((t) => [t.id, t.name]), [[body.id, "ci-deploy"]]);
    assert.ok(!JSON.stringify(list).includes(body.api_token));

    await manager.post("/token/revoke", { token: body.api_token });
    const after = await fetch(`${ex.tester.url}/write`, { headers });
    assert.equal(after.status, 401);
    await after.body?.cancel();
    assert.deepEqual((await manager.get("/token/api")).json<{ tokens: unknown[] }>().tokens, []);
  });

  it("expires API tokens when asked", async () => {
    await using ex = await startExample({ users: USERS });
    const manager = await ex.tester.client("manager@example.com");
    const { api_token } =
      (await manager.post("/token/api", { name: "short", capabilities: ["read"], expires_in: 60 }))
        .json<{ api_token: string }>();
    const headers = { authorization: `Bearer ${api_token}` };
    assert.equal((await fetch(`${ex.tester.url}/read`, { headers })).status, 200);
    ex.clock.advance(61);
    const res = await fetch(`${ex.tester.url}/read`, { headers });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });

  it("refuses bad requests and capabilities beyond the caller's", async () => {
    await using ex = await startExample({ users: USERS });
    const manager = await ex.tester.client("manager@example.com");
    const ok = { name: "x", capabilities: ["read"], expires_in: 60 };
    for (const expires_in of [-1, 0, 1e12, "60", 1.5, null]) {
      await manager.post("/token/api", { ...ok, expires_in }, { expect: 400 });
    }
    await manager.post("/token/api", { ...ok, capabilities: ["fly"] }, { expect: 400 });
    await manager.post("/token/api", { ...ok, capabilities: [] }, { expect: 400 });
    await manager.post("/token/api", { ...ok, name: "bad name\n" }, { expect: 400 });
    await manager.post("/token/api", { ...ok, extra: true }, { expect: 400 });
    await manager.post("/token/api", { ...ok, capabilities: ["moderate"] }, { expect: 403 });
    const ann = await ex.tester.client("ann@example.com");
    await ann.post("/token/api", ok, { expect: 403 });
    assert.deepEqual((await manager.get("/token/api")).json<{ tokens: unknown[] }>().tokens, []);
  });
});

describe("tokens made by tokens", () => {
  type Ex = Awaited<ReturnType<typeof startExample>>;
  const users = `${USERS}bot@service: [read]\n`;
  const status = async (ex: Ex, path: string, token: string) => {
    const res = await fetch(`${ex.tester.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.body?.cancel();
    return res.status;
  };
  const apiToken = async (ex: Ex, auth: string, name: string, expires_in: number) => {
    const res = await fetch(`${ex.tester.url}/token/api`, {
      method: "POST",
      headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
      body: JSON.stringify({ name, capabilities: ["user_management", "write"], expires_in }),
    });
    assert.equal(res.status, 200);
    return await res.json() as { api_token: string; id: string; expires_at: number };
  };
  /** An API token a manager's session makes, able to make others. */
  const managerToken = async (
    manager: Awaited<ReturnType<Ex["tester"]["client"]>>,
    name: string,
    expires_in: number,
  ) =>
    (await manager.post("/token/api", {
      name,
      capabilities: ["user_management", "write"],
      expires_in,
    })).json<{ api_token: string; expires_at: number }>();
  const serviceToken = async (ex: Ex, auth: string) => {
    const res = await fetch(`${ex.tester.url}/token?user=bot@service`, {
      headers: { authorization: `Bearer ${auth}` },
    });
    assert.equal(res.status, 200);
    return (await res.json() as { service_token: string }).service_token;
  };

  it("never outlive the token that made them, nor survive its revocation", async () => {
    await using ex = await startExample({ users });
    const manager = await ex.tester.client("manager@example.com");
    const short = await managerToken(manager, "short", 60);
    const long = await apiToken(ex, short.api_token, "long", 365 * 24 * 3600);
    assert.equal(long.expires_at, short.expires_at, "capped at the maker's expiry");
    const service = await serviceToken(ex, short.api_token);
    assert.equal(await status(ex, "/write", long.api_token), 200);
    assert.equal(await status(ex, "/read", service), 200);
    const listed = (await manager.get("/token/api")).json<{ tokens: { name: string }[] }>();
    assert.deepEqual(listed.tokens.map((t) => t.name).sort(), ["long", "short"]);
    await manager.post("/token/revoke", { user: "api:short" });
    assert.equal(await status(ex, "/write", long.api_token), 401);
    assert.equal(await status(ex, "/read", service), 401);
    const after = (await manager.get("/token/api")).json<{ tokens: unknown[] }>();
    assert.deepEqual(after.tokens, []);

    // What a token made expires with it.
    const parent = await managerToken(manager, "parent", 600);
    const child = await apiToken(ex, parent.api_token, "child", 3600);
    assert.equal(child.expires_at, parent.expires_at);
    assert.equal(await status(ex, "/write", child.api_token), 200);
    ex.clock.advance(601);
    assert.equal(await status(ex, "/write", child.api_token), 401);
  });

  it("die with the maker's token when it is revoked by itself", async () => {
    await using ex = await startExample({ users });
    const manager = await ex.tester.client("manager@example.com");
    const maker = await managerToken(manager, "maker", 600);
    const child = await apiToken(ex, maker.api_token, "child", 600);
    const grandchild = await apiToken(ex, child.api_token, "grandchild", 600);
    await manager.post("/token/revoke", { token: maker.api_token });
    assert.equal(await status(ex, "/write", child.api_token), 401);
    assert.equal(await status(ex, "/write", grandchild.api_token), 401);
  });

  it("hold no more than their maker's account holds now", async () => {
    await using ex = await startExample({ users });
    const manager = await ex.tester.client("manager@example.com");
    const made = await managerToken(manager, "ci", 600);
    const child = await apiToken(ex, made.api_token, "child", 600);
    const service = await serviceToken(ex, made.api_token);
    const root = await ex.tester.client("root@example.com");
    await root.post("/manage_capabilities/set", { email: "manager@example.com", capabilities: [] });
    assert.equal(await status(ex, "/write", made.api_token), 403);
    assert.equal(await status(ex, "/write", child.api_token), 403);
    assert.equal(await status(ex, "/read", service), 403);
    assert.equal(await status(ex, "/token/api", made.api_token), 403);
    assert.equal(await status(ex, "/token?user=bot@service", made.api_token), 403);
  });

  it("are revoked with every token of the account that made them", async () => {
    await using ex = await startExample({ users });
    const manager = await ex.tester.client("manager@example.com");
    const made = await managerToken(manager, "ci", 600);
    const service = await serviceToken(ex, made.api_token);
    const root = await ex.tester.client("root@example.com");
    await root.post("/token/revoke", { user: "manager@example.com" });
    assert.equal(await status(ex, "/write", made.api_token), 401);
    assert.equal(await status(ex, "/read", service), 401);
    assert.deepEqual((await root.get("/token/api")).json<{ tokens: unknown[] }>().tokens, []);
  });
});
