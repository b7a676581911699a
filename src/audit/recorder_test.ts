import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { Recorder } from "./recorder.ts";
import { peerAddress } from "../http/client_address.ts";
import { MemoryAuditLog } from "./memory_audit_log.ts";
import type { AuditLog } from "./audit_entry.ts";
import { MemoryCapabilityStore } from "../stores/memory_store.ts";

function recorder(log: AuditLog, reports: string[] = []): Recorder {
  return new Recorder({
    log,
    clock: () => 1000,
    report: (message) => reports.push(message),
    clientAddress: peerAddress,
    logins: false,
  });
}

describe("Recorder", () => {
  it("takes the client address from Deno.serve's info or Bun's requestIP, and cuts the user agent", async () => {
    const app = new Hono();
    app.get(
      "/",
      (c) => c.json(recorder(new MemoryAuditLog()).actor(c, { user: null, via: "none" })),
    );
    const deno = await app.request("/", { headers: { "user-agent": "x".repeat(300) } }, {
      remoteAddr: { hostname: "192.0.2.1" },
    });
    const actor = await deno.json();
    assert.equal(actor.address, "192.0.2.1");
    assert.equal(actor.userAgent.length, 200);
    const bun = await app.request("/", {}, { requestIP: () => ({ address: "2001:db8::1" }) });
    assert.equal((await bun.json()).address, "2001:db8::1");
    const none = await app.request("/", { headers: { "x-forwarded-for": "198.51.100.7" } });
    assert.equal((await none.json()).address, undefined, "a header anyone can send is not trusted");
  });

  it("reports an entry it cannot append instead of failing the request", async () => {
    const reports: string[] = [];
    const broken: AuditLog = {
      append: () => Promise.reject(new Error("disk full")),
      query: () => Promise.resolve({ entries: [] }),
    };
    await recorder(broken, reports).append({
      at: 1,
      kind: "account_revoked",
      account: "bob@example.com",
      actor: { email: "ann@example.com", credential: "session" },
      via: "api",
    });
    assert.deepEqual(reports, [
      "the audit trail could not record account_revoked of bob@example.com: disk full",
    ]);
  });

  it("records a change of the store made behind its back as edited in the file, once, and not a recorded one", async () => {
    const log = new MemoryAuditLog({ clock: () => 1000 });
    const store = new MemoryCapabilityStore({ "ann@example.com": ["read"] });
    const rec = recorder(log);
    rec.watch(store);
    await rec.notice();
    assert.equal(
      (await log.query({})).entries.length,
      0,
      "the first look takes the store as it is",
    );
    await store.update("ann@example.com", () => ["read", "write"]);
    await store.update("bob@example.com", () => ["admin"]);
    await log.append({
      at: 1,
      kind: "capabilities_changed",
      account: "bob@example.com",
      actor: { email: null, credential: "cli" },
      via: "cli",
      before: [],
      after: ["admin"],
    });
    await rec.notice();
    await rec.notice();
    const entries = (await log.query({})).entries;
    assert.deepEqual(entries.map((e) => [e.account, e.via, e.before, e.after]), [
      ["ann@example.com", "file", ["read"], ["read", "write"]],
      ["bob@example.com", "cli", [], ["admin"]],
    ]);
    assert.equal(entries[0].actor.credential, "file");
  });
});
