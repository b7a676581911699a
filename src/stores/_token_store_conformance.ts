// What every TokenStore must do (grant records, the revocation operations,
// the log's catch-up and pruning, single-use records), as node:test cases
// that any store runs on itself (the memory, SQLite and database stores alike):
//
//   import { tokenStoreConformance } from "../src/stores/_token_store_conformance.ts";
//   tokenStoreConformance("PostgresTokenStore", async (clock) => {
//     const store = new PostgresTokenStore(sql, { clock });
//     return { store, close: () => store.clear() };
//   });
//
// `make` gets the clock the store must use for expiry (epoch ms) and the log's
// retention (ms), and returns a fresh, empty store, with an optional `close`
// run after each case. `second`, when the store can be opened twice (another
// process's connection), opens the same store again: the cases then also
// check that each sees the other's changes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GrantRecord, TokenStore } from "./token_store.ts";
import { logConformance } from "./_token_store_log_conformance.ts";

/** Makes an empty store that reads time from `clock` and keeps log entries `logRetention` ms. */
export type MakeTokenStore = (
  clock: () => number,
  logRetention: number,
) => Promise<{
  store: TokenStore;
  close?: () => Promise<void>;
  /** The same store opened again (as another process would), when it can be. */
  second?: () => Promise<TokenStore>;
}>;

/** The log's retention in these cases. */
const RETENTION = 3_600_000;

const T0 = Date.UTC(2026, 0, 1);

function grant(id: string, version: number, extra: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    email: "ann@example.com",
    version,
    expires_at: T0 / 1000 + 3600,
    data: { sealed: `v${version}`, tokens: ["a"] },
    ...extra,
  };
}

/**
 * Registers the cases for the store that `make` builds: grant records, and
 * unless `log: false` (a store still being moved onto the change log), the
 * log's catch-up, pruning and single-use records.
 */
export function tokenStoreConformance(
  name: string,
  make: MakeTokenStore,
  options: { log?: boolean } = {},
): void {
  describe(`${name} grant records (TokenStore conformance)`, () => {
    async function withStore(run: (store: TokenStore, clock: { now: number }) => Promise<void>) {
      const clock = { now: T0 };
      const { store, close } = await make(() => clock.now, RETENTION);
      try {
        await run(store, clock);
      } finally {
        await close?.();
      }
    }

    it("creates with expectedVersion 0 and reads back an equal copy", () =>
      withStore(async (store) => {
        assert.equal(await store.getGrant("g1"), undefined);
        assert.equal(await store.putGrant(grant("g1", 1), 0), true);
        assert.deepEqual(await store.getGrant("g1"), grant("g1", 1));
      }));

    it("drops a record written with an expiry in the past (how a released grant is let go)", () =>
      withStore(async (store) => {
        assert.equal(await store.putGrant(grant("g1", 1), 0), true);
        assert.equal(await store.putGrant(grant("g1", 2, { expires_at: T0 / 1000 }), 1), true);
        assert.equal(await store.getGrant("g1"), undefined);
        assert.deepEqual(await store.grantsOf("ann@example.com"), []);
      }));

    it("refuses a create when the record exists, and a write at a stale version", () =>
      withStore(async (store) => {
        assert.equal(await store.putGrant(grant("g1", 1), 0), true);
        assert.equal(await store.putGrant(grant("g1", 1, { data: { x: 1 } }), 0), false);
        assert.equal(await store.putGrant(grant("g1", 2), 1), true);
        assert.equal(await store.putGrant(grant("g1", 2, { data: { lost: true } }), 1), false);
        assert.deepEqual((await store.getGrant("g1"))?.data, { sealed: "v2", tokens: ["a"] });
      }));

    it("refuses a record whose version is not expectedVersion + 1, writing nothing", () =>
      withStore(async (store) => {
        assert.equal(await store.putGrant(grant("g1", 2), 0), false);
        assert.equal(await store.getGrant("g1"), undefined);
        assert.equal(await store.putGrant(grant("g1", 1), 0), true);
        assert.equal(await store.putGrant(grant("g1", 3), 1), false);
        assert.equal((await store.getGrant("g1"))?.version, 1);
      }));

    it("lets exactly one of many concurrent writers at one version win", () =>
      withStore(async (store) => {
        await store.putGrant(grant("g1", 1), 0);
        const results = await Promise.all(
          Array.from(
            { length: 10 },
            (_, i) => store.putGrant(grant("g1", 2, { data: { writer: i } }), 1),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const winner = results.indexOf(true);
        assert.deepEqual((await store.getGrant("g1"))?.data, { writer: winner });
      }));

    it("lists the unexpired records of one account", () =>
      withStore(async (store, clock) => {
        await store.putGrant(grant("g1", 1), 0);
        await store.putGrant(grant("g2", 1, { expires_at: T0 / 1000 + 60 }), 0);
        await store.putGrant(grant("g3", 1, { email: "bob@example.com" }), 0);
        const ids = async () => (await store.grantsOf("ann@example.com")).map((r) => r.id).sort();
        assert.deepEqual(await ids(), ["g1", "g2"]);
        clock.now += 61_000;
        assert.deepEqual(await ids(), ["g1"]);
        assert.deepEqual(await store.grantsOf("nobody@example.com"), []);
      }));

    it("treats an expired record as absent: unreadable, and version 0 for a new create", () =>
      withStore(async (store, clock) => {
        await store.putGrant(grant("g1", 1, { expires_at: T0 / 1000 + 60 }), 0);
        clock.now += 60_000;
        assert.equal(await store.getGrant("g1"), undefined);
        assert.equal(await store.putGrant(grant("g1", 2), 1), false);
        assert.equal(
          await store.putGrant(grant("g1", 1, { expires_at: T0 / 1000 + 7200 }), 0),
          true,
        );
      }));

    it("hands out copies: changing a returned or given record changes nothing stored", () =>
      withStore(async (store) => {
        const given = grant("g1", 1);
        await store.putGrant(given, 0);
        (given.data.tokens as string[]).push("changed");
        const read = (await store.getGrant("g1"))!;
        (read.data.tokens as string[]).push("changed too");
        assert.deepEqual((await store.getGrant("g1"))?.data.tokens, ["a"]);
      }));

    it("keeps grant records and the revocation state apart", () =>
      withStore(async (store) => {
        await store.putGrant(grant("g1", 1), 0);
        await store.revokeId("x", T0 + 1000);
        assert.deepEqual((await store.getGrant("g1"))?.data, grant("g1", 1).data);
        await store.putGrant(grant("g1", 2), 1);
        assert.deepEqual((await store.changesSince()).changes, [
          { kind: "revoke_id", id: "x", until: T0 + 1000 },
        ]);
      }));

    it("refuses a malformed record with a TypeError", () =>
      withStore(async (store) => {
        await assert.rejects(store.putGrant({ ...grant("g1", 1), id: "" }, 0), TypeError);
        await assert.rejects(
          store.putGrant(
            { ...grant("g1", 1), data: null as unknown as Record<string, unknown> },
            0,
          ),
          TypeError,
        );
      }));
  });
  if (options.log !== false) logConformance(name, make);
}
