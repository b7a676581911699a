import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { ConfigError } from "../errors.ts";
import { loadConfig } from "./config.ts";
import { configFile, PASSWORD, removeConfigDirs, SECRET, VECTOR_CONFIG } from "./_test_util.ts";
import { OAuthManager } from "../manager.ts";
import { AppTester, OAuthMock } from "../../testing/mod.ts";
import { createApp } from "../../examples/app.ts";

after(removeConfigDirs);

describe("loadConfig() with objects", () => {
  it("resolves user_file against baseDir, or the working directory without one", async () => {
    const section = {
      serverMetadataUrl: "http://127.0.0.1:29313/.well-known/openid-configuration",
      secretKey: [SECRET, SECRET.toUpperCase()],
      clientId: "app",
      capabilities: { graph: { read: [] }, userFile: "caps.yaml" },
    };
    const withBase = await loadConfig(section, { baseDir: "/srv/conf" });
    assert.equal(
      (withBase.capabilities as { userFile?: string }).userFile,
      resolve("/srv/conf/caps.yaml"),
    );
    const withoutBase = await loadConfig(section);
    assert.equal(
      (withoutBase.capabilities as { userFile?: string }).userFile,
      resolve("caps.yaml"),
    );
    assert.deepEqual(withoutBase.secretKey, [SECRET, SECRET.toUpperCase()]);
  });

  it("needs no server or client with force_user", async () => {
    const options = await loadConfig({
      secret_key: SECRET,
      force_user: { email: "dev@example.com" },
    });
    assert.deepEqual(options.forceUser, { email: "dev@example.com" });
    assert.deepEqual(options.capabilities, { graph: {} });
  });

  it("takes force_user's sub and extra claims, with a placeholder provider and no secret_key", async () => {
    const options = await loadConfig({
      server_metadata_url: "n/a", // upstream's own test configuration
      force_user: { email: "dev@example.com", sub: "42", name: "Dev" },
    });
    assert.deepEqual(options.forceUser, { email: "dev@example.com", sub: "42", name: "Dev" });
    assert.equal(options.secretKey, undefined);
    assert.equal(options.serverMetadataUrl, undefined, "the placeholder is not a provider");
    await assert.rejects(
      loadConfig({ force_user: { email: "dev@example.com", sub: 42 } }),
      { name: "ConfigError", message: "force_user.sub: must be a string, not a number" },
    );
  });

  it("reports a bad force_user alone, without asking for a provider", async () => {
    await assert.rejects(loadConfig({ secret_key: SECRET, force_user: { email: "nobody" } }), {
      name: "ConfigError",
      message: 'force_user.email: is not a valid email: it has no "@"',
    });
  });

  it("refuses what is neither a path, a URL nor an object", async () => {
    // @ts-expect-error: a number is not a configuration source
    await assert.rejects(loadConfig(42), { name: "TypeError", message: /"source"/ });
  });

  it("takes Authlib's client settings from client_kwargs, and provider_logout", async () => {
    const options = await loadConfig({
      server_metadata_url: "http://127.0.0.1:29313/.well-known/openid-configuration",
      secret_key: SECRET,
      client_id: "app",
      client_secret: "s",
      client_kwargs: {
        scope: "openid email",
        code_challenge_method: "S256",
        token_endpoint_auth_method: "client_secret_post",
      },
      provider_logout: true,
      capabilities: { graph: { read: [] } },
    });
    assert.equal(options.clientKwargs?.token_endpoint_auth_method, "client_secret_post");
    assert.equal(options.providerLogout, true);
    new OAuthManager(options);
  });

  it("reports problems without a file name", async () => {
    await assert.rejects(loadConfig({ ...{ secret_key: SECRET }, client_id: 3 }), {
      name: "ConfigError",
      message: "client_id: must be a string, not a number\n" +
        "server_metadata_url: is required (unless force_user is set)",
    });
  });
});

describe("OAuthManager.fromConfig()", () => {
  it("loads the encrypted vector file and runs the example app against a mock provider", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    const text = (await readFile(VECTOR_CONFIG, "utf8"))
      .replace(/^server_metadata_url: .*$/m, `server_metadata_url: ${mock.metadataUrl}`);
    const file = await configFile(text);
    await writeFile(join(resolve(file, ".."), "caps.yaml"), "ann@example.com: [announce]\n");
    const oauth = await OAuthManager.fromConfig(file, { password: PASSWORD });
    await using tester = await AppTester.start(createApp(oauth), mock);
    const ann = await tester.client("ann@example.com");
    assert.equal((await ann.get("/shout", { message: "hi" })).text, 'ann@example.com shouts "hi"');
    const bob = await tester.client("bob@example.com");
    await bob.get("/shout", { message: "hi" }, { expect: 403 });
    const start = await fetch(`${tester.url}/login`, { redirect: "manual" });
    const location = new URL(start.headers.get("location")!);
    assert.equal(location.searchParams.get("client_id"), "mock_client_id");
    assert.equal(location.searchParams.get("prompt"), "select_account");
    assert.deepEqual(await oauth.capabilities.get("ann@example.com"), ["announce"]);
  });
});

describe("the password of encrypted values", () => {
  it("comes from SERIEUX_PASSWORD in the environment when none is given, as serieux reads it", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    const text = (await readFile(VECTOR_CONFIG, "utf8"))
      .replace(/^server_metadata_url: .*$/m, `server_metadata_url: ${mock.metadataUrl}`);
    const file = await configFile(text);
    const before = process.env.SERIEUX_PASSWORD;
    process.env.SERIEUX_PASSWORD = PASSWORD;
    try {
      const oauth = await OAuthManager.fromConfig(file);
      assert.equal(oauth.prefix, "");
      assert.equal((await loadConfig(file)).clientId, "mock_client_id");
    } finally {
      if (before === undefined) delete process.env.SERIEUX_PASSWORD;
      else process.env.SERIEUX_PASSWORD = before;
    }
  });

  it("is the explicit `password` first, then the `env` option's SERIEUX_PASSWORD", async () => {
    const file = await configFile(await readFile(VECTOR_CONFIG, "utf8"));
    const env = { SERIEUX_PASSWORD: PASSWORD };
    assert.equal((await loadConfig(file, { env })).clientId, "mock_client_id");
    await assert.rejects(
      loadConfig(file, { env, password: "not the password" }),
      (err: unknown) => err instanceof ConfigError && !/pass a password/.test(err.message),
    );
    await assert.rejects(
      loadConfig(file, { env: { SERIEUX_PASSWORD: "" } }),
      /secret_key: is encrypted; pass a password \(SERIEUX_PASSWORD\)/,
    );
    await assert.rejects(
      loadConfig(file, { env: "SERIEUX_PASSWORD" as never }),
      /"env" must be an object/,
    );
  });
});
