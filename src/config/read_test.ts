import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "./config.ts";
import {
  configFile,
  loadError,
  MINIMAL,
  removeConfigDirs,
  SECRET,
  UPSTREAM,
} from "./_test_util.ts";

after(removeConfigDirs);

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
