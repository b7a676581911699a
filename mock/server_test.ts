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
      clients: undefined,
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
      { port: 0, hostname: "0.0.0.0", email: "a@b.c", clients: undefined, help: true, auto: true },
    );
    assert.deepEqual(
      parseServerArgs([
        "--client",
        "app:s3cret:http://127.0.0.1:8000/auth,http://127.0.0.1:8000/token",
        "--client",
        "spa::http://localhost:5173/cb",
      ]).clients,
      [
        {
          clientId: "app",
          clientSecret: "s3cret",
          redirectUris: ["http://127.0.0.1:8000/auth", "http://127.0.0.1:8000/token"],
        },
        { clientId: "spa", redirectUris: ["http://localhost:5173/cb"] },
      ],
    );
  });

  it("throws a one-line TypeError on a bad or unknown argument", () => {
    for (
      const argv of [["--port", "abc"], ["--port", "70000"], ["--email", "x"], ["--bogus"], [
        "stray",
      ], ["--client", "no-secret-or-uri"]]
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
  it("serves the discovery document on the port it prints, for the --client it registers", async () => {
    const client = "app:s3cret:http://127.0.0.1:8000/auth";
    const child = runServer(["--port", "0", "--email", "ada@example.com", "--client", client]);
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
      const query =
        "response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fauth";
      const stranger = await fetch(`${doc.authorization_endpoint}?client_id=x&${query}`);
      assert.equal(stranger.status, 400, "an unregistered client gets an error page");
      await stranger.body?.cancel();
      const known = await fetch(`${doc.authorization_endpoint}?client_id=app&${query}`, {
        redirect: "manual",
      });
      assert.equal(known.status, 200, "without --auto, the login page asks who logs in");
      assert.match(
        await known.text(),
        /<h1>Mock provider: log in<\/h1>[\s\S]*value="ada@example.com"/,
      );
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
