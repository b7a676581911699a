// What every AuditLog must do, as node:test cases that any log runs on itself
// (memory, SQLite, PostgreSQL alike):
//
//   auditLogConformance("SqliteAuditLog", (clock) => {
//     const log = new SqliteAuditLog(":memory:", { clock });
//     return Promise.resolve({ log, close: () => Promise.resolve(log.close()) });
//   });
//
// `make` gets the clock the log must use for its retention and the retention
// itself, and returns a fresh, empty log.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AuditKind, AuditLog, AuditRecord } from "./audit_entry.ts";

/** Makes an empty log that reads time from `clock` and keeps entries `retention` ms. */
export type MakeAuditLog = (
  clock: () => number,
  retention: number,
) => Promise<{ log: AuditLog; close?: () => Promise<void> }>;

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function record(at: number, account: string, actor: string, kind: AuditKind): AuditRecord {
  return {
    at,
    kind,
    account,
    actor: { email: actor, credential: "session", address: "10.0.0.7", userAgent: "test" },
    via: "api",
    ...(kind === "capabilities_changed" ? { before: ["read"], after: ["read", "write"] } : {}),
  };
}

/** Registers the audit-log cases for the log that `make` builds (skipped, visibly, with a reason). */
export function auditLogConformance(
  name: string,
  make: MakeAuditLog,
  skip: string | false = false,
): void {
  describe(`${name} (AuditLog conformance)`, { skip }, () => {
    async function withLog(
      run: (log: AuditLog, clock: { now: number }) => Promise<void>,
      retention = 365 * DAY,
    ) {
      const clock = { now: T0 };
      const { log, close } = await make(() => clock.now, retention);
      try {
        await run(log, clock);
      } finally {
        await close?.();
      }
    }

    it("gives back what was appended, with increasing seqs, newest first", () =>
      withLog(async (log) => {
        const first = await log.append(record(T0, "bob@example.com", "ann@example.com", "login"));
        const second = await log.append(
          record(T0 + 1, "bob@example.com", "ann@example.com", "capabilities_changed"),
        );
        assert.ok(second.seq > first.seq);
        const { entries, next } = await log.query({});
        assert.equal(next, undefined);
        assert.deepEqual(entries, [second, first]);
        assert.deepEqual(entries[0].before, ["read"]);
        assert.deepEqual(entries[0].actor.address, "10.0.0.7");
      }));

    it("filters by account, actor, kind and time range", () =>
      withLog(async (log) => {
        await log.append(record(T0, "bob@example.com", "ann@example.com", "login"));
        await log.append(record(T0 + 10, "cid@example.com", "ann@example.com", "token_minted"));
        await log.append(record(T0 + 20, "bob@example.com", "dan@example.com", "token_revoked"));
        const seqs = async (query: Parameters<AuditLog["query"]>[0]) =>
          (await log.query(query)).entries.map((e) => `${e.account} ${e.kind}`);
        assert.deepEqual(await seqs({ account: "bob@example.com" }), [
          "bob@example.com token_revoked",
          "bob@example.com login",
        ]);
        assert.deepEqual(await seqs({ actor: "ann@example.com" }), [
          "cid@example.com token_minted",
          "bob@example.com login",
        ]);
        assert.deepEqual(await seqs({ kinds: ["token_minted", "login"] }), [
          "cid@example.com token_minted",
          "bob@example.com login",
        ]);
        assert.deepEqual(await seqs({ since: T0 + 10, until: T0 + 20 }), [
          "cid@example.com token_minted",
        ]);
        assert.deepEqual(await seqs({ account: "bob@example.com", actor: "dan@example.com" }), [
          "bob@example.com token_revoked",
        ]);
        assert.deepEqual(await seqs({ kinds: [] }), []);
      }));

    it("pages with a cursor, each entry once, until the last page says no more", () =>
      withLog(async (log) => {
        for (let i = 0; i < 25; i++) {
          await log.append(record(T0 + i, `u${i % 3}@example.com`, "ann@example.com", "login"));
        }
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await log.query({ account: "u1@example.com", limit: 3, cursor });
          seen.push(...page.entries.map((e) => e.at - T0));
          cursor = page.next;
          pages++;
        } while (cursor !== undefined);
        assert.deepEqual(seen, [22, 19, 16, 13, 10, 7, 4, 1]);
        assert.equal(pages, 3);
      }));

    it("answers in time order an entry another process appended late, and pages past it", () =>
      withLog(async (log) => {
        await log.append(record(T0 + 20, "bob@example.com", "ann@example.com", "login"));
        await log.append(record(T0 + 10, "bob@example.com", "ann@example.com", "logout"));
        await log.append(record(T0 + 30, "bob@example.com", "ann@example.com", "token_minted"));
        const first = await log.query({ account: "bob@example.com", limit: 2 });
        const rest = await log.query({ account: "bob@example.com", limit: 2, cursor: first.next });
        assert.deepEqual([...first.entries, ...rest.entries].map((e) => e.at - T0), [30, 20, 10]);
        assert.equal(rest.next, undefined);
      }));

    it("drops entries older than the retention", () =>
      withLog(async (log, clock) => {
        await log.append(record(T0, "bob@example.com", "ann@example.com", "login"));
        clock.now = T0 + 2 * DAY;
        await log.append(record(clock.now, "bob@example.com", "ann@example.com", "logout"));
        const kinds = (await log.query({})).entries.map((e) => e.kind);
        assert.deepEqual(kinds, ["logout"]);
      }, DAY));

    it("refuses a foreign cursor and a limit out of range with a TypeError", () =>
      withLog(async (log) => {
        await assert.rejects(log.query({ cursor: "nope" }), TypeError);
        await assert.rejects(log.query({ limit: 0 }), TypeError);
        await assert.rejects(log.query({ limit: 100_000 }), TypeError);
      }));

    it("keeps what it stored apart from the objects it was given and handed out", () =>
      withLog(async (log) => {
        const given = record(T0, "bob@example.com", "ann@example.com", "capabilities_changed");
        const entry = await log.append(given);
        given.after!.push("admin");
        entry.after!.push("admin");
        const [read] = (await log.query({})).entries;
        assert.deepEqual(read.after, ["read", "write"]);
      }));
  });
}
