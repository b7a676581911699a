import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "./config.ts";
import { ConfigError } from "../errors.ts";
import { encryptValue } from "./serieux_crypt.ts";
import { OAuthManager } from "../manager.ts";
import { AppTester, OAuthMock } from "../../testing/mod.ts";
import { createApp } from "../../examples/app.ts";

const VECTOR_CONFIG = fileURLToPath(
  new URL("../../testdata/serieux-encrypted-config.yaml", import.meta.url),
);
const PASSWORD = "change_me!!1";
const SECRET = "0123456789abcdef0123456789abcdef";

const UPSTREAM = `# The README's example, with a long enough secret.
server_metadata_url: https://accounts.google.com/.well-known/openid-configuration
secret_key: "${SECRET}"
client_id: "<CLIENT_ID>"
client_secret: "<CLIENT_SECRET>"
client_kwargs:
  scope: openid email
  prompt: select_account
capabilities:
  graph:
    read: []
    write: [read]
    moderate: [read, write]
    announce: [read, write]
    user_management: []
  auto_admin: true
  user_file: caps.yaml
  default_capabilities: [read]
  guest_capabilities: []
prefix: ""
`;

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `text` as config.yaml in a fresh temporary folder; returns its path. */
async function configFile(text: string, name = "config.yaml"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-config-"));
  dirs.push(dir);
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The ConfigError that loading `text` (as config.yaml) rejects with. */
async function loadError(text: string, password?: string): Promise<ConfigError> {
  const file = await configFile(text);
  try {
    await loadConfig(file, { password });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

/** The upstream example with `edit` applied to its text. */
function upstream(edit: (text: string) => string): string {
  return edit(UPSTREAM);
}

const MINIMAL = `server_metadata_url: http://127.0.0.1:29313/.well-known/openid-configuration
secret_key: ${SECRET}
client_id: app
`;

describe("loadConfig() reading files", () => {
  it("maps the Python package's example file to OAuthManager options", async () => {
    const file = await configFile(UPSTREAM);
    const options = await loadConfig(file);
    assert.deepEqual(options, {
      serverMetadataUrl: "https://accounts.google.com/.well-known/openid-configuration",
      secretKey: SECRET,
      clientId: "<CLIENT_ID>",
      clientSecret: "<CLIENT_SECRET>",
      clientKwargs: { scope: "openid email", prompt: "select_account" },
      capabilities: {
        graph: {
          read: [],
          write: ["read"],
          moderate: ["read", "write"],
          announce: ["read", "write"],
          user_management: [],
        },
        autoAdmin: true,
        userFile: join(resolve(file, ".."), "caps.yaml"),
        defaultCapabilities: ["read"],
        guestCapabilities: [],
      },
      prefix: "",
    });
  });

  it("accepts a file: URL and refuses other URLs", async () => {
    const file = await configFile(MINIMAL);
    assert.equal((await loadConfig(pathToFileURL(file))).clientId, "app");
    await assert.rejects(loadConfig(new URL("https://example.com/config.yaml")), TypeError);
  });

  it("names a missing file", async () => {
    const file = join(tmpdir(), "easy-oauth-no-such-dir", "config.yaml");
    await assert.rejects(loadConfig(file), {
      name: "ConfigError",
      message: `${file}: file not found`,
    });
  });

  it("refuses a file over 1 MiB before parsing it", async () => {
    const file = await configFile(MINIMAL + "#".repeat(1024 * 1024) + "\n");
    await assert.rejects(loadConfig(file), {
      name: "ConfigError",
      message: `${file}: file is larger than 1048576 bytes`,
    });
  });

  it("refuses a billion-laughs file in well under a second", async () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const file = await configFile(rows.join("\n") + "\n");
    const start = performance.now();
    await assert.rejects(loadConfig(file), { name: "ConfigError", message: /aliases/ });
    assert.ok(performance.now() - start < 1000, "took a second or more");
  });

  it("reports invalid YAML and a document that is not a mapping", async () => {
    assert.match((await loadError("a: [\n")).message, /config\.yaml: invalid YAML/);
    const err = await loadError("- a\n- b\n");
    assert.equal(
      err.message.split(": ").slice(1).join(": "),
      "must be a mapping of settings, not a list",
    );
  });
});

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

/** [config text, expected message after "config.yaml: ", expected path]. */
const VALIDATION: [string, string, string, (string | number)[]][] = [
  [
    "an unknown key, with a suggestion",
    upstream((t) => t.replace("client_secret:", "client_secrett:")),
    'client_secrett: unknown key (did you mean "client_secret"?)',
    ["client_secrett"],
  ],
  [
    "an unknown camelCase key, with a camelCase suggestion",
    upstream((t) => t.replace("auto_admin:", "autoAdmn:")),
    'capabilities.autoAdmn: unknown key (did you mean "autoAdmin"?)',
    ["capabilities", "autoAdmn"],
  ],
  [
    "the same key in both spellings",
    upstream((t) => t + 'clientId: "other"\n'),
    'clientId: is given twice, also as "client_id"',
    ["clientId"],
  ],
  [
    "a wrong type",
    upstream((t) => t.replace('prefix: ""', "prefix: 3")),
    "prefix: must be a string, not a number",
    ["prefix"],
  ],
  [
    "a wrong type in a list",
    upstream((t) => t.replace("default_capabilities: [read]", "default_capabilities: [read, 3]")),
    "capabilities.default_capabilities.1: must be a string, not a number",
    ["capabilities", "default_capabilities", 1],
  ],
  [
    "a graph edge to an undefined capability",
    upstream((t) => t.replace("write: [read]", "write: [reed]")),
    'capabilities.graph.write: "reed" is not a capability (did you mean "read"?)',
    ["capabilities", "graph", "write"],
  ],
  [
    "an implication cycle",
    upstream((t) => t.replace("read: []", "read: [write]")),
    "capabilities.graph.read: implication cycle: read -> write -> read",
    ["capabilities", "graph", "read"],
  ],
  [
    "a default capability not in the graph",
    upstream((t) => t.replace("default_capabilities: [read]", "default_capabilities: [reed]")),
    'capabilities.default_capabilities: "reed" is not a capability (did you mean "read"?)',
    ["capabilities", "default_capabilities"],
  ],
  [
    "a guest capability not in the graph",
    upstream((t) => t.replace("guest_capabilities: []", "guest_capabilities: [wrte]")),
    'capabilities.guest_capabilities: "wrte" is not a capability (did you mean "write"?)',
    ["capabilities", "guest_capabilities"],
  ],
  [
    "an override capability not in the graph",
    upstream((t) =>
      t.replace(
        "  auto_admin: true",
        "  auto_admin: true\n  user_overrides:\n    a@b.c: [moderator]",
      )
    ),
    'capabilities.user_overrides.a@b.c: "moderator" is not a capability (did you mean "moderate"?)',
    ["capabilities", "user_overrides", "a@b.c"],
  ],
  [
    "admin without auto_admin",
    upstream((t) =>
      t.replace("auto_admin: true", "auto_admin: false").replace(
        "default_capabilities: [read]",
        "default_capabilities: [admin]",
      )
    ),
    'capabilities.default_capabilities: "admin" is not a capability',
    ["capabilities", "default_capabilities"],
  ],
  [
    "a short secret key",
    upstream((t) => t.replace(SECRET, "short")),
    "secret_key: must be at least 16 characters long, not 5 (generate one with: " +
    "deno run -A jsr:@easy-oauth/hono/cli secret (in this repository: deno task cli secret))",
    ["secret_key"],
  ],
  [
    "a bad URL",
    upstream((t) => t.replace("https://accounts.google.com", "accounts.google.com")),
    'server_metadata_url: must be an http: or https: URL, not "accounts.google.com/.well-known/openid-configuration"',
    ["server_metadata_url"],
  ],
  [
    "a bad prefix",
    upstream((t) => t.replace('prefix: ""', "prefix: api/")),
    'prefix: must be "" or a plain path like "/api/v1", not "api/"',
    ["prefix"],
  ],
  [
    "a client_kwargs value that is not a string",
    upstream((t) => t.replace("prompt: select_account", "max_age: 3600")),
    "client_kwargs.max_age: must be a string, not a number",
    ["client_kwargs", "max_age"],
  ],
  [
    "a PKCE method other than S256 in client_kwargs",
    upstream((t) => t.replace("prompt: select_account", "code_challenge_method: plain")),
    'client_kwargs.code_challenge_method: must be "S256" (the only PKCE method used), not "plain"',
    ["client_kwargs", "code_challenge_method"],
  ],
  [
    "an unknown token_endpoint_auth_method in client_kwargs",
    upstream((t) =>
      t.replace("prompt: select_account", "token_endpoint_auth_method: private_key_jwt")
    ),
    "client_kwargs.token_endpoint_auth_method: must be one of client_secret_basic, " +
    'client_secret_post, none, not "private_key_jwt"',
    ["client_kwargs", "token_endpoint_auth_method"],
  ],
  [
    "an unknown token_endpoint_auth_method",
    MINIMAL + "token_endpoint_auth_method: client_secret_jwt\n",
    "token_endpoint_auth_method: must be one of client_secret_basic, client_secret_post, none, " +
    'not "client_secret_jwt"',
    ["token_endpoint_auth_method"],
  ],
  [
    "a missing secret key",
    MINIMAL.replace(`secret_key: ${SECRET}\n`, ""),
    "secret_key: is required",
    ["secret_key"],
  ],
  [
    "a bad force_user email",
    MINIMAL + "force_user: {email: nobody}\n",
    'force_user.email: is not a valid email: it has no "@"',
    ["force_user", "email"],
  ],
];

describe("loadConfig() validation", () => {
  for (const [what, text, message, path] of VALIDATION) {
    it(`names the place and the problem for ${what}`, async () => {
      const err = await loadError(text);
      assert.equal(err.message.slice(err.message.indexOf(": ") + 2), message);
      assert.ok(err.message.startsWith(err.file!) && err.file!.endsWith("config.yaml"));
      assert.deepEqual(err.path, path);
    });
  }

  it("reports every problem, with the first one's path", async () => {
    const err = await loadError(
      upstream((t) =>
        t.replace("write: [read]", "write: [reed]").replace('prefix: ""', "prefix: 3")
      ),
    );
    assert.deepEqual(err.path, ["capabilities", "graph", "write"]);
    assert.equal(err.message.split("\n").length, 2);
    assert.match(err.message, /\n.*config\.yaml: prefix: must be a string, not a number$/);
  });
});

describe("loadConfig() with encrypted secrets", () => {
  /** The vector config with a secret_key long enough for the sealer. */
  async function encryptedConfig(): Promise<string> {
    const text = await readFile(VECTOR_CONFIG, "utf8");
    const longKey = await encryptValue(SECRET, PASSWORD);
    return text.replace(/^secret_key: .*$/m, `secret_key: ${longKey}`);
  }

  it("decrypts serieux-encrypted values with the password", async () => {
    const options = await loadConfig(await configFile(await encryptedConfig()), {
      password: PASSWORD,
    });
    assert.equal(options.secretKey, SECRET);
    assert.equal(options.clientId, "mock_client_id");
    assert.equal(options.clientSecret, "dHPf4JQhK9VutnlJlcln");
  });

  it("opens the vector file as written, with its 20-character secret key", async () => {
    const options = await loadConfig(await configFile(await readFile(VECTOR_CONFIG, "utf8")), {
      password: PASSWORD,
    });
    assert.equal(options.secretKey, "5K20tAALrsnxBrCKXbot");
    assert.equal(options.clientId, "mock_client_id");
  });

  it("names each encrypted field when no password is given", async () => {
    const err = await loadError(await encryptedConfig());
    assert.deepEqual(err.message.split("\n").map((line) => line.replace(/^.*config\.yaml: /, "")), [
      "secret_key: is encrypted; pass a password (SERIEUX_PASSWORD)",
      "client_id: is encrypted; pass a password (SERIEUX_PASSWORD)",
      "client_secret: is encrypted; pass a password (SERIEUX_PASSWORD)",
    ]);
    assert.deepEqual(err.path, ["secret_key"]);
  });

  it("says wrong password, without a stack of details", async () => {
    const err = await loadError(await encryptedConfig(), "not the password");
    assert.match(err.message, /config\.yaml: secret_key: wrong password/);
  });

  it("says malformed for a damaged token", async () => {
    const err = await loadError(
      MINIMAL.replace(/client_id: app/, "client_id: ~CRYPT~gAAAAA"),
      PASSWORD,
    );
    assert.match(err.message, /config\.yaml: client_id: malformed encrypted value/);
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
