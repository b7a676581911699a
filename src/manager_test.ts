import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  MemoryTokenStore,
  type OAuthEnv,
  OAuthManager,
  type OAuthManagerOptions,
  StoreUnavailable,
  type TokenStore,
} from "../mod.ts";
import { GRAPH, SECRET, startExample } from "../testing/_fixtures.ts";

function countingFetch(counts: Map<string, number>): typeof fetch {
  return (input, init) => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    return fetch(input, init);
  };
}

describe("OAuthManager bearer tokens", () => {
  it("lets a user log in through /token and use the bearer token", async () => {
    await using ex = await startExample({ users: "ann@example.com: [write]\n" });
    const guest = await ex.tester.client();
    await guest.get("/read", {}, { expect: 401 });
    const ann = await ex.tester.client("ann@example.com");
    assert.equal((await ann.get("/read")).text, "read by ann@example.com");
    assert.equal((await ann.get("/write")).text, "written by ann@example.com");
    await ann.get("/shout", { message: "hi" }, { expect: 403 });
  });

  it("answers 401 invalid_token for garbage and tampered tokens, never 500", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    const token = (await ex.tester.client("ann@example.com")).token!;
    const parts = token.split(".");
    parts[3] = (parts[3][0] === "A" ? "B" : "A") + parts[3].slice(1);
    const swapped = [...token.split(".").slice(0, 3), parts[3], token.split(".")[4]].join(".");
    for (const bad of ["garbage", parts.join("."), swapped, "a.b.c.d.e", "x".repeat(9000)]) {
      const res = await fetch(`${ex.tester.url}/read`, {
        headers: { authorization: `Bearer ${bad}` },
      });
      assert.equal(res.status, 401, bad.slice(0, 20));
      assert.match(res.headers.get("www-authenticate")!, /^Bearer error="invalid_token"/);
      assert.equal((await res.json()).error, "invalid_token");
    }
    const basic = await fetch(`${ex.tester.url}/read`, { headers: { authorization: "Basic abc" } });
    assert.equal(basic.status, 401);
    await basic.body?.cancel();
  });

  it("refuses a token sealed under another secret", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await using other = await startExample({
      secretKey: "another secret, also thirty-two characters long",
      users: "ann@example.com: [read]\n",
    });
    const token = (await other.tester.client("ann@example.com")).token!;
    const res = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });

  it("accepts the Bearer scheme in any case", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    const token = (await ex.tester.client("ann@example.com")).token!;
    const res = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `bEaReR ${token}` },
    });
    assert.equal(await res.text(), "read by ann@example.com");
  });

  it("answers 401 once the provider refuses the refresh token, after the cached answer expires", async () => {
    const refreshTokens: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(input instanceof Request ? input.url : input).pathname === "/oauth2/token") {
        const body = await res.clone().json();
        if (body.refresh_token) refreshTokens.push(body.refresh_token);
      }
      return res;
    };
    await using ex = await startExample({ users: "ann@example.com: [read]\n", fetch: spy });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    assert.equal(refreshTokens.length, 1);
    const revoked = await fetch(`${ex.mock.url}/oauth2/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refreshTokens[0], client_id: "example-client" }),
    });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();
    await ann.get("/read"); // still cached: no provider call on the hot path
    ex.clock.advance(3601);
    const res = await ann.get("/read", {}, { expect: 401 });
    assert.equal(res.json<{ error: string }>().error, "invalid_token");
  });

  it("works again after the provider's expiry, through a refresh", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    const ann = await ex.tester.client("ann@example.com");
    await ann.get("/read");
    ex.clock.advance(2 * 3600);
    assert.equal((await ann.get("/read")).text, "read by ann@example.com");
  });

  it("caches a token until the provider's expiry, then refreshes it once for concurrent requests", async () => {
    const counts = new Map<string, number>();
    await using ex = await startExample({
      users: "ann@example.com: [read]\n",
      fetch: countingFetch(counts),
    });
    const ann = await ex.tester.client("ann@example.com");
    await Promise.all(Array.from({ length: 5 }, () => ann.get("/read")));
    assert.equal(counts.get("/oauth2/token"), 1, "one code exchange, whose answer is remembered");
    ex.clock.advance(3000);
    await ann.get("/read");
    assert.equal(counts.get("/oauth2/token"), 1, "still cached");
    ex.clock.advance(700);
    await Promise.all(Array.from({ length: 5 }, () => ann.get("/read")));
    assert.equal(counts.get("/oauth2/token"), 2, "one coalesced refresh after expiry");
  });
});

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

describe("OAuthManager options", () => {
  it("throws a TypeError naming the option", () => {
    const base = { secretKey: SECRET, capabilities: { graph: GRAPH } };
    assert.throws(
      () => new OAuthManager({ ...base, clientId: "x" }),
      /"serverMetadataUrl" is required/,
    );
    assert.throws(
      () =>
        new OAuthManager({ ...base, clientId: "x", serverMetadataUrl: "https://x.example/meta" }),
      /"serverMetadataUrl" must end with/,
    );
    assert.throws(
      () =>
        new OAuthManager({
          ...base,
          clientId: "x",
          serverMetadataUrl: "http://idp.example/.well-known/openid-configuration",
        }),
      /"serverMetadataUrl" must use https/,
    );
    assert.throws(
      () => new OAuthManager({ ...base, forceUser: { email: "x" } }),
      /"forceUser.email"/,
    );
    assert.throws(
      () => new OAuthManager({ ...base, forceUser: { email: "a@b.c" }, prefix: "api" }),
      /"prefix"/,
    );
    assert.throws(
      () => new OAuthManager({ ...base, forceUser: { email: "a@b.c" }, secretKey: "short" }),
      /"secretKey"/,
    );
    assert.throws(
      () =>
        new OAuthManager({ ...base, forceUser: { email: "a@b.c" }, clientKwargs: { state: "x" } }),
      /"clientKwargs.state"/,
    );
  });
});

describe("OAuthManager client authentication settings", () => {
  const base = {
    serverMetadataUrl: "http://127.0.0.1:1/.well-known/openid-configuration",
    secretKey: SECRET,
    clientId: "app",
    capabilities: { graph: GRAPH },
  };

  it("validates tokenEndpointAuthMethod and Authlib's client_kwargs settings", () => {
    const make = (extra: Record<string, unknown>) => () =>
      new OAuthManager({ ...base, clientSecret: "s", ...extra } as OAuthManagerOptions);
    assert.throws(
      make({ tokenEndpointAuthMethod: "private_key_jwt" }),
      /"tokenEndpointAuthMethod"/,
    );
    assert.throws(
      make({ clientKwargs: { code_challenge_method: "plain" } }),
      /"clientKwargs.code_challenge_method" must be "S256"/,
    );
    assert.throws(
      make({ clientKwargs: { token_endpoint_auth_method: "x" } }),
      /"clientKwargs.token_endpoint_auth_method"/,
    );
    assert.throws(
      make({
        tokenEndpointAuthMethod: "none",
        clientKwargs: { token_endpoint_auth_method: "client_secret_post" },
      }),
      /disagree/,
    );
    assert.throws(
      () => new OAuthManager({ ...base, tokenEndpointAuthMethod: "client_secret_basic" }),
      /needs clientSecret/,
    );
    assert.throws(make({ providerLogout: "yes" }), /"providerLogout"/);
    make({ clientKwargs: { code_challenge_method: "S256", token_endpoint_auth_method: "none" } })();
  });

  it("authenticates as client_kwargs.token_endpoint_auth_method says, and keeps it out of the login URL", async () => {
    const seen: { auth: string | null; body: string; login?: string }[] = [];
    const capture: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname === "/oauth2/token") {
        seen.push({
          auth: request.headers.get("authorization"),
          body: await request.clone().text(),
        });
      }
      return await fetch(request);
    };
    await using ex = await startExample({
      users: "ann@example.com: [read]\n",
      fetch: capture,
      clientKwargs: {
        scope: "openid email",
        code_challenge_method: "S256",
        token_endpoint_auth_method: "client_secret_post",
      },
    });
    const login = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
    const url = login.headers.get("location")!;
    assert.ok(!url.includes("token_endpoint_auth_method"), url);
    assert.equal(new URL(url).searchParams.get("code_challenge_method"), "S256");
    await ex.tester.client("ann@example.com");
    assert.equal(seen[0].auth, null);
    assert.equal(new URLSearchParams(seen[0].body).get("client_secret"), "example-secret");
  });
});

describe("OAuthManager with forceUser", () => {
  it("makes every request that user, and accepts the token XXX", async () => {
    const oauth = new OAuthManager({
      secretKey: SECRET,
      forceUser: { email: "dev@example.com" },
      capabilities: { graph: GRAPH, userOverrides: { "dev@example.com": ["read"] } },
    });
    const app = oauth.install(new Hono<OAuthEnv>());
    app.get("/read", oauth.requireCapability("read"), (c) => c.text(`read by ${c.var.email}`));
    app.get("/write", oauth.requireCapability("write"), (c) => c.text("no"));
    assert.equal(await (await app.request("/read")).text(), "read by dev@example.com");
    assert.deepEqual(await (await app.request("/token")).json(), { refresh_token: "XXX" });
    const ok = await app.request("/read", { headers: { authorization: "Bearer XXX" } });
    assert.equal(ok.status, 200);
    const bad = await app.request("/read", { headers: { authorization: "Bearer YYY" } });
    assert.equal(bad.status, 401);
    assert.equal((await app.request("/write")).status, 403);
  });

  it("exposes sub (the email by default) and extra claims on c.var.user, as upstream", async () => {
    const user = async (forceUser: OAuthManagerOptions["forceUser"]) => {
      const oauth = new OAuthManager({ secretKey: SECRET, forceUser, capabilities: { graph: {} } });
      const app = oauth.install(new Hono<OAuthEnv>());
      app.get("/me", oauth.requireUser(), (c) => c.json(c.var.user));
      return await (await app.request("/me")).json();
    };
    assert.deepEqual(await user({ email: "dev@example.com" }), {
      email: "dev@example.com",
      kind: "forced",
      sub: "dev@example.com",
      claims: { email: "dev@example.com", sub: "dev@example.com" },
    });
    const dev = await user({ email: "dev@example.com", sub: "42", name: "Dev", picture: "p.png" });
    assert.equal(dev.sub, "42");
    assert.equal(dev.name, "Dev");
    assert.equal(dev.claims.picture, "p.png");
    // @ts-expect-error: sub is a string
    const badSub: OAuthManagerOptions["forceUser"] = { email: "a@b.c", sub: 5 };
    assert.throws(
      () => new OAuthManager({ forceUser: badSub, capabilities: { graph: {} } }),
      /"forceUser.sub"/,
    );
  });

  it("makes a random secret per process without secretKey, and says tokens will not survive a restart", async () => {
    const logs: string[] = [];
    const make = () =>
      new OAuthManager({
        forceUser: { email: "dev@example.com" },
        capabilities: { graph: {} },
        log: (message) => logs.push(message),
      });
    const app = make().install(new Hono<OAuthEnv>());
    assert.equal((await app.request("/token")).status, 200);
    assert.equal(logs.length, 1);
    assert.match(logs[0], /no secretKey.*random.*will not survive a restart/);
    assert.throws(
      () =>
        new OAuthManager(
          {
            clientId: "x",
            serverMetadataUrl: "http://a.test/.well-known/openid-configuration",
            capabilities: {},
          } as never,
        ),
      /"secretKey" is required/,
    );
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
    const memory = new MemoryTokenStore({ clock: () => now() });
    let down = false;
    const tokenStore: TokenStore = {
      getGrant: (id) => memory.getGrant(id),
      grantsOf: (email) => memory.grantsOf(email),
      putGrant: (record, version) => memory.putGrant(record, version),
      load: () => memory.load(),
      update: (fn) =>
        down
          ? Promise.reject(
            new StoreUnavailable("the test's store is down", {
              cause: new Error("ECONNREFUSED"),
            }),
          )
          : memory.update(fn),
    };
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
    const memory = new MemoryTokenStore({ clock: () => now() });
    let broken = false;
    const tokenStore: TokenStore = {
      getGrant: (id) => memory.getGrant(id),
      grantsOf: (email) => memory.grantsOf(email),
      putGrant: (record, version) => memory.putGrant(record, version),
      load: () => memory.load(),
      update: (fn) => broken ? Promise.reject(new Error("a bug")) : memory.update(fn),
    };
    await using ex = await startExample({ tokenStore, users: "ann@example.com: [read]\n" });
    now = ex.clock.read;
    const ann = await ex.tester.client("ann@example.com");
    broken = true;
    const res = await ann.post("/token/revoke", { token: ann.token }, { expect: 500 });
    assert.equal(res.json<{ error: string }>().error, "internal_error");
    assert.match(ex.logs.join("\n"), /internal error \(500\): Error: a bug/);
  });
});
