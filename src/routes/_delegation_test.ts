import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

const USERS = `root@example.com: [admin]
mgr@example.com: [user_management, read]
deploy@service: [admin]
helper@service: [read]
ann@example.com: [read]
`;

type Ex = Awaited<ReturnType<typeof startExample>>;

/** One request straight to the app, with a bearer token. */
async function call(
  ex: Ex,
  token: string,
  path: string,
  body?: unknown,
): Promise<
  { status: number; body: { error?: string; detail?: string } & Record<string, unknown> }
> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await ex.app.request(path, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe("the delegation limit", () => {
  it("refuses a service token for an account holding more than the manager, naming what is missing", async () => {
    await using ex = await startExample({ users: USERS });
    const mgr = (await ex.tester.client("mgr@example.com")).token!;
    const refused = await call(ex, mgr, "/token?user=deploy@service");
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, "forbidden");
    assert.match(refused.body.detail!, /"admin"/);
    assert.ok(ex.logs.some((line) => line.includes("deploy@service")));
    assert.equal((await call(ex, mgr, "/token?user=helper@service")).status, 200);
  });

  it("refuses to revoke every token of an account holding more than the manager", async () => {
    await using ex = await startExample({ users: USERS });
    const mgr = (await ex.tester.client("mgr@example.com")).token!;
    const root = await ex.tester.client("root@example.com");
    const refused = await call(ex, mgr, "/token/revoke", { user: "root@example.com" });
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail!, /"admin"/);
    await root.get("/write");
    const token = await call(ex, mgr, "/token/revoke", { token: root.token });
    assert.equal(token.status, 403);
    await root.get("/write");
    assert.equal((await call(ex, mgr, "/token/revoke", { user: "ann@example.com" })).status, 200);
  });

  it("refuses changes to an account holding more than the manager, even of capabilities the manager holds", async () => {
    await using ex = await startExample({ users: USERS });
    const mgr = (await ex.tester.client("mgr@example.com")).token!;
    for (
      const [path, body] of [
        ["/manage_capabilities/remove", { email: "root@example.com", capability: "read" }],
        ["/manage_capabilities/add", { email: "root@example.com", capability: "read" }],
        ["/manage_capabilities/set", { email: "deploy@service", capabilities: ["read"] }],
      ] as const
    ) {
      const res = await call(ex, mgr, path, body);
      assert.equal(res.status, 403, path);
      assert.match(res.body.detail!, /"admin"/);
    }
    assert.deepEqual(await ex.oauth.capabilities.get("root@example.com"), ["admin"]);
    assert.deepEqual(await ex.oauth.capabilities.get("deploy@service"), ["admin"]);
    const ok = await call(ex, mgr, "/manage_capabilities/set", {
      email: "ann@example.com",
      capabilities: [],
    });
    assert.equal(ok.status, 200);
  });

  it("holds for an API token acting as a manager", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const made = await root.post("/token/api", {
      name: "ops",
      capabilities: ["user_management", "read"],
      expires_in: 3600,
    });
    const api = made.json<{ api_token: string }>().api_token;
    assert.equal((await call(ex, api, "/token?user=deploy@service")).status, 403);
    assert.equal((await call(ex, api, "/token/revoke", { user: "root@example.com" })).status, 403);
    const remove = await call(ex, api, "/manage_capabilities/remove", {
      email: "root@example.com",
      capability: "read",
    });
    assert.equal(remove.status, 403);
    assert.equal((await call(ex, api, "/token?user=helper@service")).status, 200);
    const other = await root.post("/token/api", {
      name: "big",
      capabilities: ["admin"],
      expires_in: 3600,
    });
    const big = other.json<{ api_token: string }>().api_token;
    assert.equal((await call(ex, api, "/token/revoke", { user: "api:big" })).status, 403);
    assert.equal((await call(ex, api, "/token/revoke", { token: big })).status, 403);
    assert.equal((await call(ex, big, "/token/api")).status, 200);
  });

  it("holds for a service token acting as a manager", async () => {
    await using ex = await startExample({
      users: `${USERS}ops@service: [user_management, read]\n`,
    });
    const ops = await ex.tester.serviceClient("ops@service", { as: "root@example.com" });
    assert.equal((await call(ex, ops.token!, "/token?user=deploy@service")).status, 403);
    assert.equal((await call(ex, ops.token!, "/token?user=helper@service")).status, 200);
    const set = await call(ex, ops.token!, "/manage_capabilities/set", {
      email: "root@example.com",
      capabilities: ["admin", "read"],
    });
    assert.equal(set.status, 403);
  });
});
