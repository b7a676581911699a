import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore, StoreUnavailable, type TokenStore } from "../mod.ts";
import { GRAPH, startExample } from "../testing/_fixtures.ts";

describe("OAuthManager capabilities", () => {
  it("applies implication, admin, defaults, guests and overrides", async () => {
    await using ex = await startExample({
      capabilities: {
        graph: GRAPH,
        userFile: undefined,
        defaultCapabilities: ["read"],
        guestCapabilities: [],
        userOverrides: { "boss@example.com": ["announce"] },
      },
    });
    const caps = ex.oauth.capabilities;
    await caps.set("mod@example.com", ["moderate"]);
    await caps.set("root@example.com", ["admin"]);
    const mod = await ex.tester.client("mod@example.com");
    await mod.get("/write");
    await mod.get("/shout", {}, { expect: 403 });
    const root = await ex.tester.client("root@example.com");
    await root.get("/shout", { message: "x" });
    const nobody = await ex.tester.client("nobody@example.com");
    await nobody.get("/read");
    await nobody.get("/write", {}, { expect: 403 });
    const boss = await ex.tester.client("boss@example.com");
    await boss.get("/shout");
    await caps.remove("boss@example.com", "announce");
    await boss.get("/shout", {}, { expect: 200 });
  });

  it("lets guests use guest capabilities", async () => {
    await using ex = await startExample({
      capabilities: { graph: GRAPH, guestCapabilities: ["read"] },
    });
    const guest = await ex.tester.client();
    assert.equal((await guest.get("/read")).text, "read by null");
    await guest.get("/write", {}, { expect: 401 });
  });

  it("throws at creation for an unknown capability", async () => {
    await using ex = await startExample();
    assert.throws(() => ex.oauth.requireCapability("fly"), /"fly" is not a capability/);
  });
});

describe("OAuthManager prefix", () => {
  it("mounts the routes under the prefix and logs in through it", async () => {
    await using ex = await startExample({ prefix: "/api/v1", users: "ann@example.com: [read]\n" });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    const list = await ann.get("/api/v1/manage_capabilities/list");
    assert.deepEqual(list.json(), {
      status: "ok",
      email: "ann@example.com",
      capabilities: ["read"],
      effective: ["read"],
    });
    const login = await fetch(`${ex.tester.url}/api/v1/login`, { redirect: "manual" });
    assert.equal(
      new URL(login.headers.get("location")!).searchParams.get("redirect_uri"),
      `${ex.tester.url}/api/v1/auth`,
    );
    await login.body?.cancel();
    assert.equal((await fetch(`${ex.tester.url}/login`)).status, 404);
  });
});

describe("OAuthManager when a store cannot be reached", () => {
  it("answers writes with a 503 store_unavailable, logs it, and keeps known tokens working", async () => {
    // The example's clock (known once it started) also dates the grant records.
    let now = Date.now;
    let down = false;
    const tokenStore: TokenStore = new class extends MemoryTokenStore {
      override revokeId(id: string, until: number): Promise<void> {
        return down
          ? Promise.reject(
            new StoreUnavailable("the test's store is down", {
              cause: new Error("ECONNREFUSED"),
            }),
          )
          : super.revokeId(id, until);
      }
    }({ clock: () => now() });
    await using ex = await startExample({ tokenStore, users: "ann@example.com: [read]\n" });
    now = ex.clock.read;
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    down = true;
    const res = await ann.post("/token/revoke", { token: ann.token }, { expect: 503 });
    assert.equal(res.json<{ error: string }>().error, "store_unavailable");
    assert.match(
      ex.logs.join("\n"),
      /store unavailable \(503\): the test's store is down \(ECONNREFUSED\)/,
    );
    await ann.get("/read");
  });

  it("answers an unexpected failure of a route with a logged JSON 500", async () => {
    let now = Date.now;
    let broken = false;
    const tokenStore: TokenStore = new class extends MemoryTokenStore {
      override revokeId(id: string, until: number): Promise<void> {
        return broken ? Promise.reject(new Error("a bug")) : super.revokeId(id, until);
      }
    }({ clock: () => now() });
    await using ex = await startExample({ tokenStore, users: "ann@example.com: [read]\n" });
    now = ex.clock.read;
    const ann = await ex.tester.client("ann@example.com");
    broken = true;
    const res = await ann.post("/token/revoke", { token: ann.token }, { expect: 500 });
    assert.equal(res.json<{ error: string }>().error, "internal_error");
    assert.match(ex.logs.join("\n"), /internal error \(500\): Error: a bug/);
  });
});
