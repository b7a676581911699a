import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { completeHeadlessLogin, GRAPH, SECRET, startExample } from "../../testing/_fixtures.ts";
import { CapabilitySet } from "../capabilities/capabilities.ts";
import { FileCapabilityStore } from "../stores/file_store.ts";
import { MemoryAuditLog } from "../audit/memory_audit_log.ts";
import { SqliteAuditLog } from "../audit/sqlite_audit_log.ts";
import type { AuditEntry } from "../audit/audit_entry.ts";
import { TOKEN_USERS as USERS } from "./_test_util.ts";

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), "audit-test-"));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

type History = { entries: AuditEntry[]; next?: string };

/** A fetch that keeps every token the provider's token endpoint hands the app. */
function capturingFetch(seen: string[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (/token/.test(new URL(url).pathname) && response.ok) {
      const body = await response.clone().text();
      try {
        for (const value of Object.values(JSON.parse(body))) {
          if (typeof value === "string" && value.length >= 16) seen.push(value);
        }
      } catch { /* not JSON */ }
    }
    return response;
  };
}

describe("the audit trail", () => {
  it("records each change of authority with who, how, from where and what, and never a token or secret", async () => {
    const secrets: string[] = [SECRET, "example-secret"];
    const audit = new MemoryAuditLog();
    await using dir = await tempDir();
    const userFile = join(dir.path, "caps.yaml");
    await writeFile(userFile, USERS);
    // Checked for hand edits on every read, so that the test needs no wait.
    const store = new FileCapabilityStore(userFile, { reloadInterval: 0 });
    await using ex = await startExample({
      capabilities: new CapabilitySet({ graph: GRAPH, store }),
      audit,
      auditLogins: true,
      clientAddress: () => "203.0.113.9",
      fetch: capturingFetch(secrets),
    });
    const root = await ex.tester.client("root@example.com");
    const manager = await ex.tester.client("manager@example.com");
    secrets.push(root.token!, manager.token!);
    await manager.post("/manage_capabilities/add", {
      email: "bob@example.com",
      capability: "write",
    });
    await manager.post("/manage_capabilities/remove", {
      email: "ann@example.com",
      capability: "read",
    });
    await root.post("/manage_capabilities/set", {
      email: "bob@example.com",
      capabilities: ["read"],
    });
    const service = (await root.get("/token", { user: "baker@service" })).json<
      { service_token: string }
    >().service_token;
    const api = (await manager.post("/token/api", {
      name: "ci",
      capabilities: ["write"],
      expires_in: 3600,
    })).json<{ api_token: string; id: string }>();
    secrets.push(service, api.api_token);
    await root.post("/token/revoke", { token: service });
    await root.post("/token/revoke", { user: "bob@example.com" });
    // A hand edit of the file, noticed when the history is next read.
    const text = await readFile(userFile, "utf8");
    await writeFile(userFile, `${text}mallory@example.com: [admin]\n`);
    ex.clock.advance(5);

    const { entries } = (await root.get("/manage_capabilities/history", { limit: 100 }))
      .json<History>();
    const lines = entries.map((e) =>
      [e.kind, e.account, e.actor.email ?? "-", e.actor.credential, e.via].join(" ")
    ).reverse();
    assert.deepEqual(lines, [
      "login root@example.com root@example.com session login",
      "token_minted root@example.com root@example.com session login",
      "login manager@example.com manager@example.com session login",
      "token_minted manager@example.com manager@example.com session login",
      "capabilities_changed bob@example.com manager@example.com user_token api",
      "capabilities_changed ann@example.com manager@example.com user_token api",
      "capabilities_changed bob@example.com root@example.com user_token api",
      "token_minted baker@service root@example.com user_token api",
      "token_minted api:ci manager@example.com user_token api",
      "token_revoked baker@service root@example.com user_token api",
      "account_revoked bob@example.com root@example.com user_token api",
      "capabilities_changed mallory@example.com - file file",
    ]);
    const byKind = (kind: string, account: string) =>
      entries.find((e) => e.kind === kind && e.account === account)!;
    assert.deepEqual(byKind("capabilities_changed", "ann@example.com").before, ["read"]);
    assert.deepEqual(byKind("capabilities_changed", "ann@example.com").after, []);
    assert.deepEqual(byKind("capabilities_changed", "mallory@example.com").after, ["admin"]);
    const minted = byKind("token_minted", "api:ci").token!;
    assert.deepEqual(
      [minted.kind, minted.id, minted.name, minted.capabilities, minted.expiresAt],
      ["api", api.id, "ci", ["write"], ex.clock.now / 1000 - 5 + 3600],
    );
    assert.equal(byKind("token_revoked", "baker@service").token!.kind, "service");
    assert.equal(entries[1].actor.address, "203.0.113.9");
    assert.equal(entries[0].actor.address, undefined, "a hand edit comes from nowhere known");
    assert.ok(entries.every((e) => e.at <= ex.clock.now));

    // Logins and logouts, when asked for; a headless login always.
    const browser = ex.tester.browser();
    await browser.get("/login", { login_hint: "ann@example.com" });
    await browser.post("/logout", undefined, { expect: null });
    const sessions = (await root.get("/manage_capabilities/history", {
      email: "ann@example.com",
      kind: "login,logout",
    })).json<History>();
    assert.deepEqual(sessions.entries.map((e) => e.kind), ["logout", "login"]);

    // Every token and secret seen in the scenario, in no entry.
    assert.ok(secrets.length >= 8, `${secrets.length} secrets seen`);
    const all = JSON.stringify((await audit.query({ limit: 1000 })).entries);
    for (const secret of secrets) assert.ok(!all.includes(secret), "an entry holds a secret");
  });

  it("shows a user manager only the accounts whose capabilities it holds, and pages with a cursor", async () => {
    await using ex = await startExample({ users: USERS, audit: new MemoryAuditLog() });
    const root = await ex.tester.client("root@example.com");
    for (let i = 0; i < 5; i++) {
      await root.post("/manage_capabilities/add", {
        email: `u${i}@example.com`,
        capability: "read",
      });
    }
    await root.post("/manage_capabilities/add", { email: "big@example.com", capability: "admin" });
    const manager = await ex.tester.client("manager@example.com");
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await manager.get("/manage_capabilities/history", {
        kind: "capabilities_changed",
        limit: 2,
        ...(cursor ? { cursor } : {}),
      })).json<History>();
      seen.push(...page.entries.map((e) => e.account));
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(seen, [4, 3, 2, 1, 0].map((i) => `u${i}@example.com`));
    const refused = await manager.get("/manage_capabilities/history", {
      email: "big@example.com",
    }, { expect: 403 });
    assert.match(refused.json<{ detail: string }>().detail, /"admin"/);
    const reader = await ex.tester.client("ann@example.com");
    await reader.get("/manage_capabilities/history", {}, { expect: 403 });
    for (
      const [name, value] of [["limit", "0"], ["kind", "nope"], ["since", "yesterday"], [
        "cursor",
        "x",
      ]]
    ) {
      await root.get("/manage_capabilities/history", { [name]: value }, { expect: 400 });
    }
  });

  it("exports the trail as JSON Lines, with the next page in a Link header", async () => {
    await using ex = await startExample({ users: USERS, audit: new MemoryAuditLog() });
    const root = await ex.tester.client("root@example.com");
    for (let i = 0; i < 3; i++) {
      await root.post("/manage_capabilities/add", {
        email: `u${i}@example.com`,
        capability: "read",
      });
    }
    const res = await root.get("/manage_capabilities/history", {
      format: "jsonl",
      kind: "capabilities_changed",
      limit: 2,
    });
    assert.equal(res.headers.get("content-type"), "application/jsonl; charset=utf-8");
    const lines = res.text.trimEnd().split("\n").map((line) => JSON.parse(line) as AuditEntry);
    assert.deepEqual(lines.map((e) => e.account), ["u2@example.com", "u1@example.com"]);
    assert.match(
      res.headers.get("link")!,
      /^<\/manage_capabilities\/history\?.*cursor=\d+\.\d+>; rel="next"$/,
    );
  });

  it("records a completed headless login, without its token, even with logins off", async () => {
    const audit = new MemoryAuditLog();
    await using ex = await startExample({ users: "ann@example.com: [read]\n", audit });
    await ex.mock.setEmail("ann@example.com");
    const started = await fetch(`${ex.tester.url}/login?headless=true`);
    const cookie = started.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
    const { login_url, token_url, user_code } = await started.json();
    assert.equal((await completeHeadlessLogin(login_url, user_code)).status, 200);
    const { refresh_token: token } = await (await fetch(token_url, { headers: { cookie } })).json();
    const { entries } = await audit.query({ account: "ann@example.com" });
    assert.deepEqual(entries.map((e) => e.kind), ["headless_login", "token_minted"]);
    assert.equal(entries[1].token?.kind, "user");
    assert.ok(!JSON.stringify(entries).includes(token));
  });

  it("keeps the trail by default in a SQLite file beside the store's, beside the capability file", async () => {
    await using ex = await startExample({ users: USERS });
    const root = await ex.tester.client("root@example.com");
    await root.post("/manage_capabilities/add", { email: "bob@example.com", capability: "read" });
    const trail = new SqliteAuditLog(join(ex.dir, "caps.audit.db"));
    try {
      const { entries } = await trail.query({ account: "bob@example.com" });
      assert.deepEqual(entries.map((e) => [e.kind, e.actor.email, e.after]), [
        ["capabilities_changed", "root@example.com", ["read"]],
      ]);
    } finally {
      trail.close();
    }
  });
});
