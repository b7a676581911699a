import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "./main.ts";
import { encryptValue } from "../src/config/serieux_crypt.ts";

const PASSWORD = "change_me!!1";
const VECTOR_CONFIG = fileURLToPath(
  new URL("../testdata/serieux-encrypted-config.yaml", import.meta.url),
);

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The vector config (with a 32-character secret key) and a user file, in a temporary folder. */
async function setup(caps = "ann@example.com: [moderate]\nbob@example.com: [read]\n") {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-check-"));
  dirs.push(dir);
  const text = (await readFile(VECTOR_CONFIG, "utf8")).replace(
    /^secret_key: .*$/m,
    `secret_key: ${await encryptValue("sb9ztQ6U7711LU5mBBYEOwHH4GEtbxqvrX803o2nxR8", PASSWORD)}`,
  );
  const file = join(dir, "config.yaml");
  await writeFile(file, text);
  await writeFile(join(dir, "caps.yaml"), caps);
  return file;
}

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    prompt: () => Promise.resolve(undefined),
  });
  return { status, stdout, stderr };
}

describe("easy-oauth check", () => {
  it("refuses an account of the capability file that is not an email, with its line, as `caps add` does", async () => {
    const file = await setup("ann@example.com: [read]\n# hand-written\nnot-an-email: [read]\n");
    const checked = await run(["check", file], { SERIEUX_PASSWORD: PASSWORD });
    assert.equal(checked.status, 1, checked.stdout);
    assert.equal(
      checked.stderr,
      `${join(file, "..", "caps.yaml")}: not-an-email: ` +
        `"not-an-email" is not a valid email (it has no "@") (line 3)\n`,
    );
    const added = await run(["caps", "add", await setup(), "not-an-email", "read"]);
    assert.equal(added.status, 1);
    assert.match(added.stderr, /"not-an-email" is not a valid email \(it has no "@"\)/);
  });

  it("counts accounts in the singular when there is one", async () => {
    const file = await setup("ann@example.com: [read]\n");
    const { status, stdout, stderr } = await run(["check", file], { SERIEUX_PASSWORD: PASSWORD });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /\(users from .*caps\.yaml, 1 account\):\n/);
  });

  it("summarizes each capability with what it implies and who holds it", async () => {
    const file = await setup();
    const { status, stdout, stderr } = await run(["check", file], { SERIEUX_PASSWORD: PASSWORD });
    assert.equal(status, 0, stderr);
    const lines = stdout.split("\n");
    assert.equal(lines[0], `${file}: OK`);
    assert.ok(
      lines.includes("encrypted: secret_key, client_id, client_secret (decrypted and checked)"),
    );
    assert.ok(lines.includes("  read: ann@example.com, bob@example.com"));
    assert.ok(lines.includes("  moderate (implies read, write): ann@example.com"));
    assert.ok(lines.includes("  user_management: nobody"));
    assert.ok(lines.includes(
      "  admin (implies read, write, moderate, announce, user_management): nobody",
    ));
  });

  it("checks everything else without a password and says the secrets were not checked", async () => {
    const file = await setup();
    const { status, stdout } = await run(["check", file]);
    assert.equal(status, 0);
    assert.match(stdout, /encrypted: secret_key, client_id, client_secret \(NOT checked/);
  });

  it("lists every problem of the configuration with status 1", async () => {
    const file = await setup();
    const text = await readFile(file, "utf8");
    await writeFile(
      file,
      text.replace("write: [read]", "write: [reed]").replace('prefix: ""', 'prefx: ""'),
    );
    const { status, stdout, stderr } = await run(["check", file], { SERIEUX_PASSWORD: PASSWORD });
    assert.equal(status, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `${file}: capabilities.graph.write: "reed" is not a capability (did you mean "read"?)\n` +
        `${file}: prefx: unknown key (did you mean "prefix"?)\n`,
    );
  });

  it("says wrong password with status 1", async () => {
    const file = await setup();
    const { status, stderr } = await run(["check", file], { SERIEUX_PASSWORD: "nope" });
    assert.equal(status, 1);
    assert.match(stderr, /config\.yaml: secret_key: wrong password/);
  });

  it("reports an unknown capability in the user file with status 1", async () => {
    const file = await setup("ann@example.com: [moderat]\n");
    const { status, stderr } = await run(["check", file], { SERIEUX_PASSWORD: PASSWORD });
    assert.equal(status, 1);
    assert.match(stderr, /caps\.yaml: ann@example\.com: "moderat" is not a capability/);
  });
});
