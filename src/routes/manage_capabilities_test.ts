import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GRAPH, startExample } from "../../testing/_fixtures.ts";
import { CAPABILITY_USERS as USERS } from "./_test_util.ts";

describe("/manage_capabilities", () => {
  it("lists the caller's own stored capabilities, and others' only with user_management", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    const own = await ann.get("/manage_capabilities/list");
    assert.deepEqual(own.json(), {
      status: "ok",
      email: "ann@example.com",
      capabilities: ["read"],
      effective: ["read"],
    });
    const other = await ann.get("/manage_capabilities/list", { email: "root@example.com" }, {
      expect: 403,
    });
    assert.equal(other.json<{ error: string }>().error, "forbidden");
    const root = await ex.tester.client("root@example.com");
    const listed = await root.get("/manage_capabilities/list", { email: "ann@example.com" });
    assert.deepEqual(listed.json<{ capabilities: string[] }>().capabilities, ["read"]);
    await root.get("/manage_capabilities/list", { email: "bad\nemail" }, { expect: 400 });
    await (await ex.tester.client()).get("/manage_capabilities/list", {}, { expect: 401 });
  });

  it("answers effective capabilities beside the stored ones: implications, defaults, overrides", async () => {
    await using ex = await startExample({
      users: "mod@example.com: [moderate]\n",
      defaults: ["read"],
    });
    const reader = await ex.tester.client("reader@example.com");
    assert.deepEqual((await reader.get("/manage_capabilities/list")).json(), {
      status: "ok",
      email: "reader@example.com",
      capabilities: [],
      effective: ["read"],
    });
    const boss = await ex.tester.client("boss@example.com"); // admin by override
    const own = (await boss.get("/manage_capabilities/list")).json<Record<string, string[]>>();
    assert.deepEqual(own.capabilities, []);
    assert.deepEqual(own.effective, [...Object.keys(GRAPH), "admin"].sort());
    const mod = await boss.get("/manage_capabilities/list", { email: "mod@example.com" });
    assert.deepEqual(mod.json<Record<string, string[]>>().effective, ["moderate", "read", "write"]);
  });

  it("answers list_user for the caller, and an empty answer to a guest, as upstream", async () => {
    await using ex = await startExample({ users: USERS, defaults: ["read"] });
    const guest = await ex.tester.client();
    assert.deepEqual((await guest.get("/manage_capabilities/list_user")).json(), {
      status: "ok",
      email: null,
      capabilities: [],
      effective: [],
    });
    const ann = await ex.tester.client("ann@example.com");
    assert.deepEqual((await ann.get("/manage_capabilities/list_user")).json(), {
      status: "ok",
      email: "ann@example.com",
      capabilities: ["read"],
      effective: ["read"],
    });
  });

  it("lists users and the graph with admin for user managers only", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const res = await root.get("/manage_capabilities/users");
    const body = res.json<{ users: Record<string, string[]>; graph: Record<string, string[]> }>();
    assert.deepEqual(body.users, { "root@example.com": ["admin"], "ann@example.com": ["read"] });
    assert.deepEqual(body.graph.write, ["read"]);
    assert.deepEqual([...body.graph.admin].sort(), Object.keys(GRAPH).sort());
    await (await ex.tester.client("ann@example.com")).get("/manage_capabilities/users", {}, {
      expect: 403,
    });
  });
  it("has no add/remove/set routes when the graph lacks user_management", async () => {
    const { user_management: _, ...graph } = GRAPH;
    await using ex = await startExample({ capabilities: { graph, autoAdmin: false } });
    const ann = await ex.tester.client("ann@example.com");
    await ann.post("/manage_capabilities/add", { email: "a@b.c", capability: "read" }, {
      expect: 404,
    });
  });
});
