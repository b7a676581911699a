// Broken and oversized store files: public routes keep working, protected ones
// answer a JSON 503, writes are refused and never overwrite the broken file.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ConfigError, OAuthManager, SqliteStore } from "../mod.ts";
import { GRAPH, SECRET, startExample } from "../testing/_fixtures.ts";
import { MAX_YAML_BYTES } from "./_yaml.ts";

type Ex = Awaited<ReturnType<typeof startExample>>;

async function send(ex: Ex, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await ex.app.request(path, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get("content-type") ?? "" };
}

function assertUnavailable(res: { status: number; text: string }, what: string): void {
  assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
  assert.equal(JSON.parse(res.text).error, "store_unavailable", what);
}

const USERS = "root@example.com: [admin]\nann@example.com: [read]\n";

describe("a broken token database", () => {
  it("at start: public routes work, protected ones answer 503, the log names the file", async () => {
    await using ex = await startExample({ users: USERS });
    const tokens = join(ex.dir, "caps.db");
    const garbage = "not a database ".repeat(200);
    await writeFile(tokens, garbage);
    // A login keeps its grant in the token store, so a valid token comes from another instance.
    await using other = await startExample({ users: USERS });
    const root = (await other.tester.client("root@example.com")).token!;
    await ex.tester.client("root@example.com").then(
      () => assert.fail("a login needs the token store"),
      (error) => assert.match(String(error), /503.*store_unavailable/),
    );
    assert.equal((await send(ex, "/")).status, 200);
    assert.equal((await send(ex, "/hello")).text, "hello guest");
    assert.equal((await send(ex, "/hello", root)).text, "hello guest");
    assertUnavailable(await send(ex, "/read", root), "/read");
    assertUnavailable(await send(ex, "/manage_capabilities/users", root), "/users");
    const add = await send(ex, "/manage_capabilities/add", root, {
      email: "ann@example.com",
      capability: "write",
    });
    assertUnavailable(add, "add");
    assert.equal(await readFile(tokens, "utf8"), garbage);
    assert.ok(ex.logs.some((line) => line.includes("caps.db") && /not a database/.test(line)));
  });

  it("later: revocations answer 503 while another process holds the lock; reads go on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-locked-"));
    const file = join(dir, "tokens.db");
    try {
      let now = Date.now;
      await using ex = await startExample({
        users: USERS,
        tokenStore: new SqliteStore(file, { busyTimeout: 100, clock: () => now() }),
      });
      now = ex.clock.read;
      const root = (await ex.tester.client("root@example.com")).token!;
      await send(ex, "/read", root);
      const other = new DatabaseSync(file);
      other.exec("BEGIN IMMEDIATE");
      try {
        const res = await send(ex, "/token/revoke", root, { user: "ann@example.com" });
        assertUnavailable(res, "revoke");
        assert.equal((await send(ex, "/read", root)).status, 200);
        assert.ok(ex.logs.some((line) => line.includes("tokens.db") && /locked/.test(line)));
      } finally {
        other.exec("ROLLBACK");
        other.close();
      }
      const again = await send(ex, "/token/revoke", root, { user: "ann@example.com" });
      assert.equal(again.status, 200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a broken capability file", () => {
  it("edited by hand: reads use the last good copy, writes answer 503 and leave the file alone", async () => {
    await using ex = await startExample({ users: USERS });
    const root = (await ex.tester.client("root@example.com")).token!;
    assert.equal((await send(ex, "/read", root)).status, 200);
    const broken = "root@example.com: [admin\nann@example.com: [read]\n";
    await writeFile(ex.userFile, broken);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await send(ex, "/read", root)).status, 200);
    for (const path of ["add", "remove"]) {
      const res = await send(ex, `/manage_capabilities/${path}`, root, {
        email: "ann@example.com",
        capability: "read",
      });
      assertUnavailable(res, path);
    }
    assert.equal(await readFile(ex.userFile, "utf8"), broken);
    assert.ok(ex.logs.some((line) => line.includes("caps.yaml")));
  });

  it("at start: protected routes answer 503, public ones work", async () => {
    await using ex = await startExample({ users: "root@example.com: {{{\n" });
    const ann = (await ex.tester.client("ann@example.com")).token!;
    assert.equal((await send(ex, "/")).status, 200);
    assert.equal((await send(ex, "/hello", ann)).text, "hello ann@example.com");
    assertUnavailable(await send(ex, "/read", ann), "/read");
    assertUnavailable(await send(ex, "/manage_capabilities/list", ann), "/list");
    assert.ok(ex.logs.some((line) => line.includes("caps.yaml")));
  });
});

describe("the capability file's size limit", () => {
  it("refuses with 413 a write that would make the file unreadable, and leaves it alone", async () => {
    const filler = `# ${"x".repeat(MAX_YAML_BYTES - USERS.length - 40)}\n`;
    await using ex = await startExample({ users: USERS + filler });
    const root = (await ex.tester.client("root@example.com")).token!;
    const res = await send(ex, "/manage_capabilities/set", root, {
      email: "a-rather-long-new-account-name@example.com",
      capabilities: ["read", "write", "moderate"],
    });
    assert.equal(res.status, 413, res.text);
    assert.equal(JSON.parse(res.text).error, "payload_too_large");
    assert.equal(await readFile(ex.userFile, "utf8"), USERS + filler);
  });

  it("makes a too-large file at start a ConfigError of fromConfig and of ready()", async () => {
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-size-"));
    try {
      const userFile = join(dir, "caps.yaml");
      await writeFile(userFile, `# ${"x".repeat(MAX_YAML_BYTES)}\n`);
      const config = {
        server_metadata_url: "http://127.0.0.1:9/.well-known/openid-configuration",
        secret_key: SECRET,
        client_id: "app",
        capabilities: { graph: GRAPH, user_file: userFile },
      };
      await assert.rejects(OAuthManager.fromConfig(config), ConfigError);
      const oauth = new OAuthManager({
        serverMetadataUrl: config.server_metadata_url,
        secretKey: SECRET,
        clientId: "app",
        capabilities: { graph: GRAPH, userFile },
      });
      await assert.rejects(oauth.ready(), ConfigError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("an unexpected error", () => {
  it("answers a logged JSON 500 on the manager's routes and middleware, not a bare text", async () => {
    const store = {
      version: 0,
      get: () => Promise.reject(new Error("the database exploded")),
      all: () => Promise.reject(new Error("the database exploded")),
      update: () => Promise.reject(new Error("the database exploded")),
    };
    await using ex = await startExample({ capabilities: { graph: GRAPH, store } });
    const ann = (await ex.tester.client("ann@example.com")).token!;
    for (const path of ["/manage_capabilities/users", "/read"]) {
      const res = await send(ex, path, ann);
      assert.equal(res.status, 500, path);
      assert.equal(JSON.parse(res.text).error, "internal_error");
    }
    assert.ok(ex.logs.some((line) => line.includes("the database exploded")));
  });
});
