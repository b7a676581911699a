import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { parse } from "yaml";
import { GRAPH, startExample } from "../../testing/_fixtures.ts";
import { type CapabilityStore, MemoryCapabilityStore } from "../../mod.ts";

const USERS = `# Who may do what
root@example.com:
  - admin # the boss
ann@example.com:
  - read
`;

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

  it("adds, removes and sets capabilities, keeping the file's comments", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const added = await root.post("/manage_capabilities/add", {
      email: "ann@example.com",
      capability: "write",
    });
    assert.deepEqual(added.json(), {
      status: "ok",
      email: "ann@example.com",
      capabilities: ["read", "write"],
      effective: ["read", "write"],
    });
    await root.post("/manage_capabilities/remove", {
      email: "ann@example.com",
      capability: "read",
    });
    const set = await root.post("/manage_capabilities/set", {
      email: "new@example.com",
      capabilities: ["moderate"],
    });
    assert.deepEqual(set.json<{ capabilities: string[] }>().capabilities, ["moderate"]);
    const text = await readFile(ex.userFile, "utf8");
    assert.match(text, /# Who may do what/);
    assert.match(text, /- admin # the boss/);
    assert.deepEqual(parse(text), {
      "root@example.com": ["admin"],
      "ann@example.com": ["write"],
      "new@example.com": ["moderate"],
    });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/write");
  });

  it("refuses changes without user_management (403) or without login (401)", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    await ann.post("/manage_capabilities/add", { email: "ann@example.com", capability: "write" }, {
      expect: 403,
    });
    const guest = await ex.tester.client();
    await guest.post(
      "/manage_capabilities/add",
      { email: "ann@example.com", capability: "write" },
      { expect: 401 },
    );
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
  });

  it("answers bad bodies with a clear 4xx and leaves the file alone", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const post = (body: BodyInit, type = "application/json") =>
      fetch(`${ex.tester.url}/manage_capabilities/add`, {
        method: "POST",
        headers: { authorization: `Bearer ${root.token}`, "content-type": type },
        body,
      });
    const cases: [BodyInit, string, number][] = [
      ["email=a@b.c&capability=read", "application/x-www-form-urlencoded", 415],
      ["{not json", "application/json", 400],
      ["[1, 2]", "application/json", 400],
      [JSON.stringify({ email: "a@b.c" }), "application/json", 400],
      [JSON.stringify({ email: 42, capability: "read" }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c", capability: ["read"] }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c", capability: "fly" }), "application/json", 400],
      [JSON.stringify({ email: "not an email", capability: "read" }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c\n  - admin", capability: "read" }), "application/json", 400],
      [JSON.stringify({ email: "a@b.c", capability: "read", extra: 1 }), "application/json", 400],
      [
        JSON.stringify({ email: "a@b.c", capability: "x".repeat(70 * 1024) }),
        "application/json",
        413,
      ],
    ];
    for (const [body, type, status] of cases) {
      const res = await post(body, type);
      assert.equal(res.status, status, String(body).slice(0, 60));
      const json = await res.json();
      assert.equal(typeof json.error, "string");
      assert.equal(typeof json.detail, "string");
    }
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const res = await fetch(`${ex.tester.url}/manage_capabilities/add`, {
      method: "POST",
      headers: { authorization: `Bearer ${root.token}`, "content-type": "application/json" },
      body: chunked,
      // @ts-ignore: needed by fetch for a streamed body
      duplex: "half",
    });
    assert.equal(res.status, 413);
    await res.body?.cancel();
    const set = await root.post("/manage_capabilities/set", {
      email: "a@b.c",
      capabilities: "read",
    }, {
      expect: 400,
    });
    assert.match(set.text, /capabilities/);
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
  });

  it("refuses cookie-authenticated changes from another origin", async () => {
    await using ex = await startExample({ users: USERS });
    await ex.mock.setEmail("root@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    const body = { email: "ann@example.com", capability: "write" };
    const evil = await browser.post("/manage_capabilities/add", body, {
      expect: 403,
      headers: { origin: "https://evil.example" },
    });
    assert.equal(evil.json<{ error: string }>().error, "cross_site_request");
    await browser.post("/manage_capabilities/add", body, {
      expect: 403,
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(await readFile(ex.userFile, "utf8"), USERS);
    await browser.post("/manage_capabilities/add", body, { headers: { origin: ex.tester.url } });
  });

  it("loses nothing when 100 adds for different users run at once", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    const emails = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`);
    await Promise.all(
      emails.map((email) => root.post("/manage_capabilities/add", { email, capability: "read" })),
    );
    const stored = parse(await readFile(ex.userFile, "utf8")) as Record<string, string[]>;
    for (const email of emails) assert.deepEqual(stored[email], ["read"], email);
    assert.deepEqual(stored["root@example.com"], ["admin"]);
  });

  it("picks up a hand edit of the file", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/write", {}, { expect: 403 });
    await writeFile(ex.userFile, USERS.replace("- read", "- write"));
    ex.clock.advance(2);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await ann.get("/write");
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
