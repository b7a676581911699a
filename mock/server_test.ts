import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseServerArgs } from "./server.ts";

const SCRIPT = fileURLToPath(new URL("./server.ts", import.meta.url));

/** Runs mock/server.ts with the runtime running this test. */
function runServer(args: string[]) {
  const isBun = "Bun" in globalThis;
  const argv = isBun ? [SCRIPT, ...args] : ["run", "-A", SCRIPT, ...args];
  return spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
}

describe("parseServerArgs()", () => {
  it("defaults to 127.0.0.1:29313 and reads --port, --hostname and --email", () => {
    assert.deepEqual(parseServerArgs([]), {
      port: 29313,
      hostname: "127.0.0.1",
      email: undefined,
      help: false,
      auto: false,
    });
    assert.deepEqual(
      parseServerArgs([
        "--port",
        "0",
        "--hostname",
        "0.0.0.0",
        "--email",
        "a@b.c",
        "--help",
        "--auto",
      ]),
      { port: 0, hostname: "0.0.0.0", email: "a@b.c", help: true, auto: true },
    );
  });

  it("throws a one-line TypeError on a bad or unknown argument", () => {
    for (
      const argv of [["--port", "abc"], ["--port", "70000"], ["--email", "x"], ["--bogus"], [
        "stray",
      ]]
    ) {
      assert.throws(() => parseServerArgs(argv), (err: unknown) => {
        assert.ok(err instanceof TypeError, String(err));
        assert.ok(!err.message.includes("\n"), err.message);
        return true;
      });
    }
  });
});

describe("mock/server.ts", () => {
  it("serves the discovery document on the port it prints", async () => {
    const child = runServer(["--port", "0", "--email", "ada@example.com"]);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
          if (out.includes("\n")) resolve(out.split("\n")[0]);
        });
        child.on("exit", (code) => reject(new Error(`exited with ${code}`)));
      });
      const match =
        /^Mock OpenID provider on (http:\/\/127\.0\.0\.1:\d+) \(discovery: \1\/\.well-known\/openid-configuration\)$/
          .exec(line);
      assert.ok(match, line);
      const doc = await (await fetch(`${match[1]}/.well-known/openid-configuration`)).json();
      assert.equal(doc.issuer, match[1]);
    } finally {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill();
      await exited;
    }
  });

  it("exits with status 2 and one line on stderr for a bad argument", async () => {
    const child = runServer(["--port", "nope"]);
    let err = "";
    child.stderr.on("data", (chunk) => (err += chunk));
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 2);
    assert.equal(err.trim().split("\n").length, 1, err);
    assert.match(err, /--port/);
  });
});
