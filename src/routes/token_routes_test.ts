import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, SqliteStore } from "../../mod.ts";
import { GRAPH, startExample } from "../../testing/_fixtures.ts";
import { TOKEN_USERS as USERS } from "./_test_util.ts";

describe("service accounts", () => {
  it("follows the seed's example: the store decides at once, new capabilities need a new token", async () => {
    await using ex = await startExample({ users: USERS });
    const admin = await ex.tester.client("root@example.com");
    await admin.post("/manage_capabilities/set", { email: "bot@service", capabilities: ["baker"] });
    const res = await admin.get("/token", { user: "bot@service" });
    const body = res.json<{ service_token: string; user: string; capabilities: string[] }>();
    assert.equal(body.user, "bot@service");
    assert.deepEqual(body.capabilities, ["baker"]);
    const bot = await ex.tester.serviceClient("bot@service", { as: "root@example.com" });
    assert.equal(
      (await bot.get("/bake", { food: "croissant" })).text,
      "bot@service bakes croissant",
    );
    await bot.get("/read", {}, { expect: 403 });

    await admin.post("/manage_capabilities/remove", { email: "bot@service", capability: "baker" });
    await bot.get("/bake", { food: "croissant" }, { expect: 403 });

    await admin.post("/manage_capabilities/set", {
      email: "bot@service",
      capabilities: ["baker", "read"],
    });
    await bot.get("/bake");
    await bot.get("/read", {}, { expect: 403 });
    const fresh = await ex.tester.serviceClient("bot@service", { as: "root@example.com" });
    await fresh.get("/read");
  });

  it("gives service tokens to user managers only, for @service names only", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/token", { user: "bot@service" }, { expect: 403 });
    await (await ex.tester.client()).get("/token", { user: "bot@service" }, { expect: 401 });
    const manager = await ex.tester.client("manager@example.com");
    for (const user of ["ann@example.com", "bot", "@service", "bot@service\n"]) {
      await manager.get("/token", { user }, { expect: 400 });
    }
    await manager.get("/token", { user: "bot@service" });
  });

  it("refuses a service token whose snapshot was edited", async () => {
    await using ex = await startExample({ users: USERS });
    const admin = await ex.tester.client("root@example.com");
    await admin.post("/manage_capabilities/set", { email: "bot@service", capabilities: ["baker"] });
    const bot = await ex.tester.serviceClient("bot@service", { as: "root@example.com" });
    const parts = bot.token!.split(".");
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith("AA") ? "BB" : "AA");
    const res = await fetch(`${ex.tester.url}/bake`, {
      headers: { authorization: `Bearer ${parts.join(".")}` },
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
});

describe("POST /token/revoke", () => {
  it("revokes one token for its holder, at once, and no other (its session still holds the grant)", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    const other = await ex.tester.client("ann@example.com");
    const res = await ann.post("/token/revoke", { token: ann.token });
    const body = res.json<{ revoked: string; provider_revoked: boolean }>();
    assert.equal(body.revoked, "token");
    assert.equal(body.provider_revoked, false);
    await ann.get("/read", {}, { expect: 401 });
    await other.get("/read");
  });

  it("lets user managers revoke other people's tokens, and no one else", async () => {
    await using ex = await startExample({ users: USERS });
    const ann = await ex.tester.client("ann@example.com");
    const bob = await ex.tester.client("bob@example.com");
    await bob.post("/token/revoke", { token: ann.token }, { expect: 403 });
    await ann.get("/read");
    const manager = await ex.tester.client("manager@example.com");
    await manager.post("/token/revoke", { token: ann.token });
    await ann.get("/read", {}, { expect: 401 });
  });

  it("revokes every token of an account issued until now, sessions included", async () => {
    await using ex = await startExample({ users: USERS });
    const ann1 = await ex.tester.client("ann@example.com");
    const ann2 = await ex.tester.client("ann@example.com");
    await ex.mock.setEmail("ann@example.com");
    const browser = ex.tester.browser();
    await browser.get("/login");
    assert.equal((await browser.get("/hello")).text, "hello ann@example.com");
    const root = await ex.tester.client("root@example.com");
    // Another account needs user_management (her own does not: see own_tokens_test.ts).
    await ann1.post("/token/revoke", { user: "root@example.com" }, { expect: 403 });
    await root.post("/token/revoke", { user: "ann@example.com" });
    await ann1.get("/read", {}, { expect: 401 });
    await ann2.get("/read", {}, { expect: 401 });
    assert.equal((await browser.get("/hello")).text, "hello guest");
    ex.clock.advance(1);
    const ann3 = await ex.tester.client("ann@example.com");
    await ann3.get("/read");
  });

  it("keeps revocations across a restart", async () => {
    await using ex = await startExample({ users: USERS });
    const admin = await ex.tester.client("root@example.com");
    await admin.post("/manage_capabilities/set", { email: "bot@service", capabilities: ["baker"] });
    const bot = await ex.tester.serviceClient("bot@service", { as: "root@example.com" });
    await admin.post("/token/revoke", { token: bot.token });
    const restarted = new OAuthManager({
      serverMetadataUrl: ex.mock.metadataUrl,
      secretKey: (await import("../../testing/_fixtures.ts")).SECRET,
      clientId: "example-client",
      capabilities: { graph: GRAPH, userFile: ex.userFile },
      clock: ex.clock.read,
    });
    const app = restarted.install(new Hono<OAuthEnv>());
    app.get("/bake", restarted.requireCapability("baker"), (c) => c.text("baked"));
    const res = await app.request("/bake", { headers: { authorization: `Bearer ${bot.token}` } });
    assert.equal(res.status, 401);
    using saved = new SqliteStore(ex.userFile.replace(/\.yaml$/, ".db"));
    const ids = (await saved.changesSince()).changes.filter((c) => c.kind === "revoke_id");
    assert.equal(ids.length, 1);
  });

  it("answers bad requests with 400 and changes nothing", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    for (
      const body of [{}, { token: "garbage" }, { token: 42 }, { token: "a", user: "b@c.d" }, {
        user: "bare-name",
      }, {
        user: "not an email",
      }, { x: 1 }]
    ) {
      await root.post("/token/revoke", body, { expect: 400 });
    }
    await root.get("/read");
  });
});
