import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./_test_util.ts";

const CONFIG = `server_metadata_url: http://127.0.0.1:29313/.well-known/openid-configuration
secret_key: ~CRYPT~gAAAAABrCeWDFn1GCGI9ZYP_9-5RIRYBbrDxvsdRb0G5CGCh6SHmECEbQfN1kMEzo5vr9eiDzkUEcTv6ZpUai2SqKDBpe8FsZFEw2mJgyQG70tIHRGEzt7s=
client_id: app
capabilities:
  graph: {read: [], write: [read], user_management: []}
  user_file: caps.yaml
`;
const CAPS = `# Who may do what. Keep this comment.
ann@example.com:
  - write  # since 2024
bob@example.com: [read]
`;

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(config = CONFIG): Promise<{ config: string; caps: string }> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-caps-"));
  dirs.push(dir);
  await writeFile(join(dir, "config.yaml"), config);
  await writeFile(join(dir, "caps.yaml"), CAPS);
  return { config: join(dir, "config.yaml"), caps: join(dir, "caps.yaml") };
}

describe("easy-oauth caps", () => {
  it("lists every account, or one, without needing the password of the secrets", async () => {
    const { config } = await setup();
    const all = await run("caps", "list", config);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(
      all.stdout,
      "ann@example.com: write; effective: read, write\nbob@example.com: read; effective: read\n",
    );
    const one = await run("caps", "list", config, "carl@example.com");
    assert.equal(one.stdout, "carl@example.com: (none); effective: (none)\n");
  });

  it("lists what defaults and overrides give as effective, beside the stored capabilities", async () => {
    const { config } = await setup(
      CONFIG + "  default_capabilities: [read]\n  user_overrides: {boss@example.com: [admin]}\n",
    );
    const boss = await run("caps", "list", config, "boss@example.com");
    assert.equal(
      boss.stdout,
      "boss@example.com: (none); effective: admin, read, user_management, write\n",
    );
    const carl = await run("caps", "list", config, "carl@example.com");
    assert.equal(carl.stdout, "carl@example.com: (none); effective: read\n");
  });

  it("adds, removes and sets capabilities in the file, keeping its comments", async () => {
    const { config, caps } = await setup();
    assert.equal(
      (await run("caps", "add", config, "bob@example.com", "user_management")).stdout,
      "bob@example.com: read, user_management\n",
    );
    assert.equal(
      (await run("caps", "remove", config, "ann@example.com", "write")).stdout,
      "ann@example.com: (none)\n",
    );
    assert.equal(
      (await run("caps", "set", config, "carl@example.com", "read", "write")).stdout,
      "carl@example.com: read, write\n",
    );
    const text = await readFile(caps, "utf8");
    assert.match(text, /^# Who may do what\. Keep this comment\.$/m);
    assert.equal(
      (await run("caps", "list", config)).stdout,
      "ann@example.com: (none); effective: (none)\n" +
        "bob@example.com: read, user_management; effective: read, user_management\n" +
        "carl@example.com: read, write; effective: read, write\n",
    );
    assert.equal(
      (await run("caps", "set", config, "carl@example.com")).stdout,
      "carl@example.com: (none)\n",
    );
  });

  it("refuses an unknown capability or a bad email in one line with status 1, leaving the file", async () => {
    const { config, caps } = await setup();
    const unknown = await run("caps", "add", config, "ann@example.com", "wrte");
    assert.equal(unknown.status, 1);
    assert.equal(
      unknown.stderr,
      'easy-oauth: caps add: "wrte" is not a capability (did you mean "write"?)\n',
    );
    const email = await run("caps", "set", config, "not an email", "read");
    assert.equal(email.status, 1);
    assert.equal(email.stderr.trim().split("\n").length, 1);
    assert.match(email.stderr, /is not a valid email/);
    assert.equal(await readFile(caps, "utf8"), CAPS);
  });

  it("refuses to edit without a user_file", async () => {
    const { config } = await setup(CONFIG.replace("  user_file: caps.yaml\n", ""));
    const { status, stderr } = await run("caps", "add", config, "ann@example.com", "read");
    assert.equal(status, 1);
    assert.match(stderr, /capabilities\.user_file is not set/);
  });

  it("refuses a configuration with problems, listing them", async () => {
    const { config } = await setup(CONFIG.replace("write: [read]", "write: [reed]"));
    const { status, stderr } = await run("caps", "list", config);
    assert.equal(status, 1);
    assert.match(stderr, /capabilities\.graph\.write: "reed" is not a capability/);
  });
});
