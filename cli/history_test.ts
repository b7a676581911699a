import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "./main.ts";
import { SqliteAuditLog } from "../src/audit/sqlite_audit_log.ts";
import type { AuditEntry } from "../src/audit/audit_entry.ts";

const CONFIG = `server_metadata_url: http://127.0.0.1:29313/.well-known/openid-configuration
secret_key: f5nlxCPhPxF-PvVAqvb9CS7HkhqQ7XL5_6ZMsh3IxrQ
client_id: app
capabilities:
  graph: {read: [], write: [read], user_management: []}
  user_file: caps.yaml
`;

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(): Promise<{ config: string; trail: string }> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-history-"));
  dirs.push(dir);
  await writeFile(join(dir, "config.yaml"), CONFIG);
  await writeFile(join(dir, "caps.yaml"), "ann@example.com: [read]\n");
  return { config: join(dir, "config.yaml"), trail: join(dir, "caps.audit.db") };
}

async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { USER: "ops" },
    prompt: () => Promise.resolve(undefined),
  });
  return { status, stdout, stderr };
}

describe("easy-oauth history", () => {
  it("records what caps add, remove and set change, as the system user, and nothing for no change", async () => {
    const { config } = await setup();
    assert.equal((await run("caps", "add", config, "ann@example.com", "write")).status, 0);
    assert.equal((await run("caps", "add", config, "ann@example.com", "write")).status, 0);
    assert.equal((await run("caps", "remove", config, "ann@example.com", "read")).status, 0);
    assert.equal((await run("caps", "set", config, "bob@example.com", "read")).status, 0);
    const out = await run("history", config, "--jsonl");
    assert.equal(out.status, 0, out.stderr);
    const entries = out.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(
      entries.map((e) => [e.account, e.before, e.after, e.actor.email, e.actor.credential, e.via]),
      [
        ["bob@example.com", [], ["read"], "ops", "cli", "cli"],
        ["ann@example.com", ["read", "write"], ["write"], "ops", "cli", "cli"],
        ["ann@example.com", ["read"], ["read", "write"], "ops", "cli", "cli"],
      ],
    );
  });

  it("reads what a server recorded, with the filters of the API, a cursor, and control characters stripped", async () => {
    const { config, trail } = await setup();
    const log = new SqliteAuditLog(trail);
    // Recent: the trail keeps a year.
    const at = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    for (let i = 0; i < 3; i++) {
      await log.append({
        at: at + i * 1000,
        kind: "token_minted",
        account: "bot@service",
        actor: { email: "ann@example.com", credential: "session", address: "10.0.0.7" },
        via: "api",
        token: { kind: "service", id: `id${i}`, capabilities: ["read"], expiresAt: 1798761600 },
      });
    }
    await log.append({
      at: at + 5000,
      kind: "account_revoked",
      account: "evil\x1b[31m@example.com",
      actor: { email: "ann@example.com", credential: "session" },
      via: "api",
    });
    log.close();
    const page = await run("history", config, "--kind", "token_minted", "--limit", "2");
    assert.equal(page.status, 0, page.stderr);
    const lines = page.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.equal(
      lines[0],
      `${new Date(at + 2000).toISOString()} ann@example.com (session from 10.0.0.7, api): ` +
        "token_minted service token id2 [read] of bot@service, expires 2027-01-01T00:00:00.000Z",
    );
    const cursor = /^more: --cursor (\S+)$/.exec(lines[2])![1];
    const rest = await run(
      "history",
      "--sqlite",
      trail,
      "--kind",
      "token_minted",
      "--cursor",
      cursor,
    );
    assert.match(rest.stdout, /token id0 /);
    assert.doesNotMatch(rest.stdout, /more:/);
    const since = await run("history", config, "--since", new Date(at + 1500).toISOString());
    assert.equal(since.stdout.trimEnd().split("\n").length, 2);
    assert.ok(!since.stdout.includes("\x1b"), "no escape sequence reaches the terminal");
    assert.equal((await run("history", config, "--kind", "nope")).status, 2);
    assert.equal((await run("history")).status, 2);
  });
});
