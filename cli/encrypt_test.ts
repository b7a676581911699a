import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "./main.ts";
import { decryptValue } from "../src/config/serieux_crypt.ts";
import { parseYaml } from "../src/_yaml.ts";

const PASSWORD = "change_me!!1";
const VECTOR_CONFIG = fileURLToPath(
  new URL("../testdata/serieux-encrypted-config.yaml", import.meta.url),
);

const PLAIN = `# My app, with comments that must survive.
server_metadata_url: http://127.0.0.1:29313/.well-known/openid-configuration
secret_key:   # rotated keys, newest first
  - "0123456789abcdef0123456789abcdef"   # newest
  - 'fedcba9876543210fedcba9876543210'
client_id: my-client  # from the console
client_secret: "s3cr3t: with a colon"

capabilities:
  graph: {read: [], write: [read]}   # flow style stays
prefix: ""
`;

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-cli-"));
  dirs.push(dir);
  const file = join(dir, "config.yaml");
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

async function run(args: string[], env: Record<string, string> = {}, answers: string[] = []) {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    prompt: () => Promise.resolve(answers.shift()),
  });
  return { status, stdout, stderr };
}

const ENV = { SERIEUX_PASSWORD: PASSWORD };

describe("easy-oauth encrypt", () => {
  it("encrypts secret_key, client_id and client_secret in place, keeping everything else", async () => {
    const file = await tempFile(PLAIN);
    const { status, stderr } = await run(["encrypt", file], ENV);
    assert.equal(status, 0, stderr);
    const text = await readFile(file, "utf8");
    const tokens = text.match(/~CRYPT~[A-Za-z0-9_=-]+/g) ?? [];
    assert.equal(tokens.length, 4);
    // Everything but the four values is byte for byte as it was.
    let masked = PLAIN;
    for (
      const value of [
        '"0123456789abcdef0123456789abcdef"',
        "'fedcba9876543210fedcba9876543210'",
        "my-client",
        '"s3cr3t: with a colon"',
      ]
    ) {
      masked = masked.replace(value, "X");
    }
    assert.equal(text.replace(/~CRYPT~[A-Za-z0-9_=-]+/g, "X"), masked);
    const config = parseYaml(text) as Record<string, unknown>;
    assert.deepEqual(
      await Promise.all((config.secret_key as string[]).map((t) => decryptValue(t, PASSWORD))),
      ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"],
    );
    assert.equal(
      await decryptValue(config.client_secret as string, PASSWORD),
      "s3cr3t: with a colon",
    );
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it("leaves values already encrypted alone and says when there is nothing to do", async () => {
    const file = await tempFile(await readFile(VECTOR_CONFIG, "utf8"));
    const before = await readFile(file, "utf8");
    const { status, stderr } = await run(["encrypt", file], ENV);
    assert.equal(status, 0);
    assert.match(stderr, /nothing to encrypt/);
    assert.equal(await readFile(file, "utf8"), before);
  });

  it("takes EASY_OAUTH_PASSWORD, or asks twice on a terminal", async () => {
    const file = await tempFile(PLAIN);
    assert.equal((await run(["encrypt", file], { EASY_OAUTH_PASSWORD: "other" })).status, 0);
    const config = parseYaml(await readFile(file, "utf8")) as Record<string, string>;
    assert.equal(await decryptValue(config.client_id, "other"), "my-client");

    const asked = await tempFile(PLAIN);
    assert.equal((await run(["encrypt", asked], {}, ["typed", "typed"])).status, 0);
    const typed = parseYaml(await readFile(asked, "utf8")) as Record<string, string>;
    assert.equal(await decryptValue(typed.client_id, "typed"), "my-client");
  });

  it("fails with status 1 and writes nothing without a password or with two different ones", async () => {
    const file = await tempFile(PLAIN);
    const none = await run(["encrypt", file]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^easy-oauth: no password: set SERIEUX_PASSWORD/);
    const differ = await run(["encrypt", file], {}, ["one", "two"]);
    assert.equal(differ.status, 1);
    assert.match(differ.stderr, /the two passwords differ/);
    assert.equal(await readFile(file, "utf8"), PLAIN);
  });

  it("refuses a secret that is not a string, with status 1", async () => {
    const file = await tempFile(PLAIN.replace("client_id: my-client", "client_id: 12345"));
    const { status, stderr } = await run(["encrypt", file], ENV);
    assert.equal(status, 1);
    assert.match(stderr, /client_id: must be a string/);
  });
});

describe("easy-oauth decrypt", () => {
  it("prints the file with its secrets decrypted and comments kept, never writing it", async () => {
    const file = await tempFile(PLAIN);
    await run(["encrypt", file], ENV);
    const encrypted = await readFile(file, "utf8");
    const { status, stdout } = await run(["decrypt", file], ENV);
    assert.equal(status, 0);
    assert.deepEqual(parseYaml(stdout), parseYaml(PLAIN));
    assert.match(stdout, /# rotated keys, newest first/);
    assert.match(stdout, /client_id: my-client {2}# from the console/);
    assert.equal(await readFile(file, "utf8"), encrypted);
  });

  it("decrypts the serieux vector file", async () => {
    const { status, stdout } = await run(["decrypt", VECTOR_CONFIG], ENV);
    assert.equal(status, 0);
    assert.match(stdout, /^secret_key: 5K20tAALrsnxBrCKXbot$/m);
    assert.match(stdout, /^client_id: mock_client_id$/m);
  });

  it("says wrong password with the key, with status 1", async () => {
    const { status, stderr, stdout } = await run(["decrypt", VECTOR_CONFIG], {
      SERIEUX_PASSWORD: "nope",
    });
    assert.equal(status, 1);
    assert.match(stderr, /serieux-encrypted-config\.yaml: secret_key: wrong password/);
    assert.equal(stdout, "");
  });

  it("copies a file without secrets as it is, without asking for a password", async () => {
    const file = await tempFile(PLAIN);
    const { status, stdout } = await run(["decrypt", file]);
    assert.equal(status, 0);
    assert.equal(stdout, PLAIN);
  });
});
