import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { completeHeadlessLogin, startExample } from "../testing/_fixtures.ts";
import { main } from "./main.ts";
import { serve } from "../testing/_serve.ts";

function capture(signal?: AbortSignal) {
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: (text: string) => void (out.stdout += text),
    stderr: (text: string) => void (out.stderr += text),
    env: {},
    prompt: () => Promise.resolve(undefined),
    signal,
  };
  return { out, io };
}

async function waitFor(read: () => string, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`never printed ${pattern}: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("easy-oauth login", () => {
  it("prints the link and the code, waits for the person, then prints a working token", async () => {
    await using ex = await startExample({ users: "ann@example.com: [read]\n" });
    await ex.mock.setEmail("ann@example.com");
    const { out, io } = capture();
    const done = main(["login", "--url", `${ex.tester.url}/`], io);
    const [, loginUrl] = await waitFor(() => out.stderr, /^ {2}(http\S+)$/m);
    const [, code] = await waitFor(() => out.stderr, /code; continue only if it matches: (\S+)/);
    assert.equal((await completeHeadlessLogin(loginUrl, code)).status, 200);
    assert.equal(await done, 0);
    const token = out.stdout.trim();
    assert.equal(out.stdout, `${token}\n`, "only the token on stdout");
    assert.match(out.stderr, /Logged in as ann@example\.com\.\n$/);
    const read = await fetch(`${ex.tester.url}/read`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(await read.text(), "read by ann@example.com");
  });

  it("stops with status 1 and nothing on stdout when interrupted", async () => {
    await using ex = await startExample();
    const controller = new AbortController();
    const { out, io } = capture(controller.signal);
    const done = main(["login", "--url", ex.tester.url], io);
    await waitFor(() => out.stderr, /Waiting/);
    controller.abort();
    assert.equal(await done, 1);
    assert.equal(out.stdout, "");
    assert.match(out.stderr, /interrupted/);
  });

  it("needs --url (status 2) and says when the app is not an easy-oauth app (status 1)", async () => {
    const missing = capture();
    assert.equal(await main(["login"], missing.io), 2);
    assert.match(missing.out.stderr, /--url is required/);
    await using ex = await startExample();
    const wrong = capture();
    assert.equal(await main(["login", "--url", `${ex.tester.url}/nowhere/`], wrong.io), 1);
    assert.match(wrong.out.stderr, /refused to start a headless login \(HTTP 404\)/);
  });
});

describe("easy-oauth login and what a server says", () => {
  it("strips control characters (C0, C1, DEL, escape sequences) from everything the server said", async () => {
    const hostile = "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b]0;title\x07\x9b31m\x7f\x00";
    let polls = 0;
    await using server = await serveFor((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/login") {
        return Response.json({
          login_url: `${url.origin}/confirm${hostile}`,
          token_url: `${url.origin}/poll`,
          expires_in: 60,
          user_code: `KMRT${hostile}-WXBC`,
          interval: 1,
        });
      }
      polls++;
      return Response.json({ error: "login_failed", detail: `denied${hostile} here` }, {
        status: 400,
      });
    });
    const { out, io } = capture();
    assert.equal(await main(["login", "--url", `${server.url}/`], io), 1);
    assert.equal(polls, 1);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(out.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, JSON.stringify(out.stderr));
    assert.match(out.stderr, /\/confirm\]52;c;ZWNobyBwd25lZA==\[2J\]0;title31m\n/);
    assert.match(out.stderr, /KMRT\]52;c;ZWNobyBwd25lZA==\[2J\]0;title31m-WXBC/);
    assert.match(out.stderr, /: denied\]52;c;ZWNobyBwd25lZA==\[2J\]0;title31m here/);
  });

  it("refuses a token that is not made of token characters, printing nothing on stdout", async () => {
    const hostile = "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J";
    for (const token of [`tok${hostile}`, "tok en", "tok\nen", ""]) {
      await using server = await serveFor((request) => {
        const url = new URL(request.url);
        if (url.pathname === "/login") {
          return Response.json({
            login_url: `${url.origin}/confirm`,
            token_url: `${url.origin}/poll`,
            expires_in: 60,
            user_code: "KMRT-WXBC",
            interval: 1,
          });
        }
        return Response.json({ refresh_token: token, email: "ann@example.com" });
      });
      const { out, io } = capture();
      assert.equal(await main(["login", "--url", `${server.url}/`], io), 1, JSON.stringify(token));
      assert.equal(out.stdout, "", JSON.stringify(out.stdout));
      assert.match(out.stderr, /not a token/);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(out.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
  });
});

async function serveFor(handler: (request: Request) => Response) {
  const served = await serve(handler);
  return { url: served.url, [Symbol.asyncDispose]: () => served.close() };
}
