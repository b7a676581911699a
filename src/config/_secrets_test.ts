import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { loadConfig } from "./config.ts";
import { encryptValue } from "./serieux_crypt.ts";
import {
  configFile,
  loadError,
  MINIMAL,
  PASSWORD,
  removeConfigDirs,
  SECRET,
  VECTOR_CONFIG,
} from "./_test_util.ts";

after(removeConfigDirs);

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
