import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { run } from "./_test_util.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function withoutInitCwd(): Record<string, string | undefined> {
  const { INIT_CWD: _, ...env } = process.env;
  return env;
}

/** Runs the CLI in process with an empty environment and no terminal. */
describe("easy-oauth", () => {
  it("prints its help on --help and -h with status 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const { status, stdout } = await run(flag);
      assert.equal(status, 0);
      assert.match(stdout, /^Usage: easy-oauth <command>/);
      assert.match(stdout, /caps set <config.yaml>/);
    }
  });

  it("prints each command's help on --help", async () => {
    for (const command of ["encrypt", "decrypt", "check", "caps", "mock", "secret"]) {
      const { status, stdout } = await run(command, "--help");
      assert.equal(status, 0, command);
      assert.match(stdout, new RegExp(`^Usage:[\\s\\S]*easy-oauth ${command}`), command);
    }
  });

  it("answers an unknown command, a missing command and bad arguments with one line and status 2", async () => {
    const cases = [
      ["bogus"],
      ["check"],
      ["check", "a.yaml", "b.yaml"],
      ["encrypt", "--nope", "a.yaml"],
      ["caps", "frob", "a.yaml"],
      ["caps", "add", "a.yaml", "ann@example.com"],
      ["secret", "extra"],
      ["mock", "--port", "http"],
    ];
    for (const args of cases) {
      const { status, stderr, stdout } = await run(...args);
      assert.equal(status, 2, args.join(" "));
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
      assert.match(stderr, /^easy-oauth: /);
      assert.equal(stdout, "");
    }
    const none = await run();
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^Usage: easy-oauth/);
  });

  it("ends every argument error with the command's --help, in its own words, never the parser's", async () => {
    const cases: [string[], string][] = [
      [["bogus"], 'unknown command "bogus" (see `easy-oauth --help`)'],
      [["check"], "check: missing argument (see `easy-oauth check --help`)"],
      [
        ["check", "a.yaml", "b.yaml"],
        'check: unexpected argument "b.yaml" (see `easy-oauth check --help`)',
      ],
      [
        ["encrypt", "--nope", "a.yaml"],
        'encrypt: unknown option "--nope" (see `easy-oauth encrypt --help`)',
      ],
      [
        ["decrypt", "--help=yes"],
        "decrypt: --help takes no value (see `easy-oauth decrypt --help`)",
      ],
      [
        ["caps", "add", "a.yaml", "x@y.z"],
        "caps add: missing argument (see `easy-oauth caps --help`)",
      ],
      [
        ["caps", "export", "--postgres"],
        "caps export: --postgres needs a value (see `easy-oauth caps --help`)",
      ],
      [["login", "--url", "--x"], "login: --url needs a value (see `easy-oauth login --help`)"],
      [["mock", "--bogus"], 'mock: unknown option "--bogus" (see `easy-oauth mock --help`)'],
      [["mock", "extra"], 'mock: unexpected argument "extra" (see `easy-oauth mock --help`)'],
      [["mock", "--auto=yes"], "mock: --auto takes no value (see `easy-oauth mock --help`)"],
      [
        ["secret", "\x1b[31m"],
        'secret: unexpected argument "\\u001b[31m" (see `easy-oauth secret --help`)',
      ],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = await run(...args);
      assert.equal(status, 2, args.join(" "));
      assert.equal(stderr, `easy-oauth: ${message}\n`);
    }
  });

  it("prints its version on --version, the version of deno.json and package.json", async () => {
    const { readFile } = await import("node:fs/promises");
    const deno = JSON.parse(await readFile(join(ROOT, "deno.json"), "utf8"));
    const npm = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    assert.equal(npm.version, deno.version);
    for (const flag of ["--version", "-V"]) {
      const { status, stdout } = await run(flag);
      assert.equal(status, 0);
      assert.equal(stdout, `easy-oauth ${deno.version}\n`);
    }
  });

  it("prints a fresh 32-byte base64url secret", async () => {
    const first = await run("secret");
    const second = await run("secret");
    assert.equal(first.status, 0);
    assert.match(first.stdout, /^[A-Za-z0-9_-]{43}\n$/);
    assert.notEqual(first.stdout, second.stdout);
  });

  it("reports a missing configuration file with status 1", async () => {
    const { status, stderr } = await run("check", "/nonexistent/easy-oauth/config.yaml");
    assert.equal(status, 1);
    assert.equal(stderr, "/nonexistent/easy-oauth/config.yaml: file not found\n");
  });

  it("reads paths from the folder `deno task cli` was run in, not the repository root", async () => {
    await mkdir(join(ROOT, ".tmp"), { recursive: true });
    const dir = await mkdtemp(join(ROOT, ".tmp", "cli-cwd-"));
    try {
      await writeFile(
        join(dir, "config.yaml"),
        "server_metadata_url: http://127.0.0.1:29313/.well-known/openid-configuration\n" +
          "secret_key: P7HZQ4mqaSVxklC7izFGtXdyNn_F9htJmtr9nSVXbrg\nclient_id: app\n",
      );
      const { code, stdout, stderr } = await new Promise<
        { code: number | null; stdout: string; stderr: string }
      >((resolve) => {
        const child = execFile(
          "deno",
          ["task", "-q", "cli", "check", "config.yaml"],
          // As from a shell: a test run by `deno task test` inherits the task's INIT_CWD.
          { cwd: dir, env: withoutInitCwd() },
          (_, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^config\.yaml: OK/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
