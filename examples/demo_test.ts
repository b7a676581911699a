// `deno task demo` as a newcomer runs it: a real process serving the app and
// the mock, a login, a capability granted, and the tracked example file left
// as it was (the demo works on a copy in an ignored folder).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on("error", reject);
  });
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.body?.cancel().then(() => true), () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/** A cookie jar for one host, following redirects by hand as a browser does. */
async function browse(url: string, jar: Map<string, string>, init: RequestInit = {}) {
  let current = new URL(url);
  for (let hops = 0; hops < 10; hops++) {
    const headers = new Headers(init.headers);
    headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(current, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      if (/max-age=0/i.test(line)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (!location) {
      const login = await loginForm(response, current);
      if (!login) return response;
      // The mock's login page: "Log in" with the email it suggests, as a person would.
      current = login.action;
      init = { method: "POST", body: login.fields };
      continue;
    }
    await response.body?.cancel();
    current = new URL(location, current);
    init = {};
  }
  throw new Error("too many redirects");
}

/** The fields of the mock's login form, when `response` is its login page. */
async function loginForm(response: Response, url: URL) {
  if (!response.headers.get("content-type")?.startsWith("text/html")) return undefined;
  const page = await response.clone().text();
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page);
  if (!form || !form[2].includes('value="login"')) return undefined;
  const unescape = (text: string) =>
    text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(code));
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"/g)) {
    fields.append(unescape(input[1]), unescape(input[2]));
  }
  await response.body?.cancel();
  return { action: new URL(unescape(form[1]), url), fields };
}

describe("deno task demo", () => {
  let child: ChildProcess;
  let dir: string;
  let app: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "demo-"));
    const [port, providerPort] = [await freePort(), await freePort()];
    app = `http://127.0.0.1:${port}`;
    const args = ["run", "-A", "examples/demo.ts", "--port", `${port}`];
    args.push("--provider-port", `${providerPort}`, "--data-dir", dir);
    // The demo is a Deno program: run it with this Deno, or the one on the PATH under Bun.
    const deno = "Deno" in globalThis ? process.execPath : "deno";
    child = spawn(deno, args, { cwd: ROOT, stdio: "ignore" });
    await waitFor(`${app}/`, child);
  });

  after(async () => {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it("logs in through the mock and grants a capability without touching examples/caps.yaml", async () => {
    const tracked = await readFile(join(ROOT, "examples", "caps.yaml"), "utf8");
    const jar = new Map<string, string>();
    const shout = await browse(`${app}/shout?message=hi`, jar);
    assert.equal(await shout.text(), 'test@example.com shouts "hi"');
    const add = await browse(`${app}/manage_capabilities/add`, jar, {
      method: "POST",
      headers: { "content-type": "application/json", origin: app },
      body: JSON.stringify({ email: "newcomer@example.com", capability: "write" }),
    });
    assert.equal(add.status, 200, await add.clone().text());
    assert.equal(await readFile(join(ROOT, "examples", "caps.yaml"), "utf8"), tracked);
    assert.match(
      await readFile(join(dir, "caps.yaml"), "utf8"),
      /newcomer@example\.com:\n\s+- write/,
    );
  });

  it("offers 'switch user' on the home page: it sets the mock's email and logs in again", async () => {
    const jar = new Map<string, string>();
    await browse(`${app}/login`, jar);
    const home = await (await browse(`${app}/`, jar)).text();
    assert.match(home, /You are test@example\.com/);
    assert.match(home, /<form method="post" action="\/switch_user">/);
    const switched = await browse(`${app}/switch_user`, jar, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app },
      body: "email=friend%40rainbows.com",
    });
    assert.match(await switched.text(), /You are friend@rainbows\.com/);
    const shout = await browse(`${app}/shout?message=hi`, jar);
    assert.equal(await shout.text(), 'friend@rainbows.com shouts "hi"');
    const refused = await fetch(`${app}/switch_user`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://evil.test" },
      body: "email=mallory%40evil.test",
    });
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    const bad = await fetch(`${app}/switch_user`, { method: "POST", body: new URLSearchParams() });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });
  it("links the admin page on the home page for its admin, and not for others", async () => {
    const jar = new Map<string, string>();
    await browse(`${app}/login`, jar);
    // The demo's admin, whoever an earlier test left the mock logging in.
    const home = await (await browse(`${app}/switch_user`, jar, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app },
      body: "email=test%40example.com",
    })).text();
    assert.match(home, /You are test@example\.com/);
    assert.match(home, /<a id="admin-page" href="\/manage_capabilities\/">/);
    const page = await browse(`${app}/manage_capabilities/`, jar);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>Accounts and capabilities<\/h1>/);
    const guest = await (await fetch(`${app}/`)).text();
    assert.doesNotMatch(guest, /admin-page/);
  });
});
