import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager, type OAuthManagerOptions } from "../mod.ts";
import { GRAPH, SECRET, startExample } from "../testing/_fixtures.ts";

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
