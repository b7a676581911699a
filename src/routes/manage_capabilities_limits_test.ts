import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { GRAPH, startExample } from "../../testing/_fixtures.ts";
import { TOKEN_USERS as USERS } from "./_test_util.ts";
import { type CapabilityStore, MemoryCapabilityStore } from "../../mod.ts";

describe("delegation limits", () => {
  it("lets a user manager grant and take away only what they hold", async () => {
    await using ex = await startExample({ users: USERS + "mod@example.com: [moderate]\n" });
    const manager = await ex.tester.client("manager@example.com");
    await manager.post("/manage_capabilities/add", {
      email: "ann@example.com",
      capability: "write",
    });
    await manager.post("/manage_capabilities/add", {
      email: "ann@example.com",
      capability: "read",
    });
    const refused = await manager.post("/manage_capabilities/add", {
      email: "ann@example.com",
      capability: "moderate",
    }, {
      expect: 403,
    });
    assert.match(refused.json<{ detail: string }>().detail, /"moderate"/);
    await manager.post("/manage_capabilities/add", {
      email: "ann@example.com",
      capability: "admin",
    }, { expect: 403 });
    await manager.post("/manage_capabilities/remove", {
      email: "mod@example.com",
      capability: "moderate",
    }, {
      expect: 403,
    });
    await manager.post("/manage_capabilities/set", { email: "mod@example.com", capabilities: [] }, {
      expect: 403,
    });
    // An account holding more than the manager cannot be changed by them at all.
    await manager.post("/manage_capabilities/set", {
      email: "mod@example.com",
      capabilities: ["moderate", "write"],
    }, { expect: 403 });
    const stored = parse(await readFile(ex.userFile, "utf8")) as Record<string, string[]>;
    assert.deepEqual(stored["mod@example.com"], ["moderate"]);
    assert.ok(ex.logs.some((line) => line.includes('"moderate"')));
    assert.ok(ex.logs.every((line) => !line.includes(manager.token!)));
  });
});

describe("/manage_capabilities/set under concurrent changes", () => {
  it("checks the delegation limit on the account as it is when written: an admin's concurrent grant is not undone", async () => {
    const inner = new MemoryCapabilityStore({
      "root@example.com": ["admin"],
      "mgr@example.com": ["user_management", "read", "write"],
      "ann@example.com": ["read"],
    });
    let armed = false;
    const grant = async () => {
      armed = false;
      await inner.update("ann@example.com", (current) => [...(current ?? []), "admin"]);
    };
    // An admin's grant lands after the manager's request read ann's account,
    // or, when the request reads it only inside update(), just before that.
    const store: CapabilityStore = {
      get version() {
        return inner.version;
      },
      all: () => inner.all(),
      async update(email, fn) {
        if (armed) await grant();
        return await inner.update(email, fn);
      },
      async get(email) {
        const before = await inner.get(email);
        if (armed && email === "ann@example.com") await grant();
        return before;
      },
    };
    await using ex = await startExample({
      capabilities: { graph: GRAPH, store },
    });
    const mgr = (await ex.tester.client("mgr@example.com")).token!;
    armed = true;
    const res = await ex.app.request("/manage_capabilities/set", {
      method: "POST",
      headers: { authorization: `Bearer ${mgr}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "ann@example.com", capabilities: ["read", "write"] }),
    });
    assert.equal(armed, false);
    assert.equal(res.status, 403);
    assert.deepEqual(await inner.get("ann@example.com"), ["read", "admin"]);
  });

  it("reads the caller's capabilities under the same lock as a concurrent demotion of the caller", async () => {
    const inner = new MemoryCapabilityStore({
      "root@example.com": ["admin"],
      "mgr@example.com": ["user_management", "read", "write"],
      "ann@example.com": ["read"],
    });
    const writes: string[] = [];
    let demote: (() => Promise<unknown>) | undefined;
    // The manager's change reaches the store; an admin demotes the manager right then.
    const store: CapabilityStore = {
      get version() {
        return inner.version;
      },
      all: () => inner.all(),
      get: (email) => inner.get(email),
      async update(email, fn) {
        const started = demote?.();
        demote = undefined;
        if (started) await Promise.race([started, new Promise((r) => setTimeout(r, 300))]);
        const result = await inner.update(email, fn);
        writes.push(email);
        return result;
      },
    };
    await using ex = await startExample({ capabilities: { graph: GRAPH, store } });
    const bearer = async (email: string) => `Bearer ${(await ex.tester.client(email)).token!}`;
    const post = (auth: string, body: unknown) =>
      ex.app.request("/manage_capabilities/set", {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const mgr = await bearer("mgr@example.com");
    const root = await bearer("root@example.com");
    let demotion: Response | undefined;
    demote = async () => {
      demotion = await post(root, { email: "mgr@example.com", capabilities: ["read"] });
    };
    const change = await post(mgr, { email: "ann@example.com", capabilities: ["read", "write"] });
    assert.equal(change.status, 200);
    while (!demotion) await new Promise((r) => setTimeout(r, 10));
    assert.equal(demotion.status, 200);
    // The change was made by a manager who still held write: it was written first.
    assert.deepEqual(writes, ["ann@example.com", "mgr@example.com"]);
  });
});
