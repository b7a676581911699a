// The change-log cases of the TokenStore conformance suite (see
// _token_store_conformance.ts): catch-up after a revision, the whole state for
// a first read, the later of two revocations, the hint, expiry, pruning with a
// reload for a reader left behind, and single-use records.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TokenChange, TokenStore } from "./token_store.ts";

/** Makes an empty store (and, when it can, opens it again as another process would). */
export type MakeLoggedStore = (
  clock: () => number,
  logRetention: number,
) => Promise<{
  store: TokenStore;
  close?: () => Promise<void>;
  second?: () => Promise<TokenStore>;
}>;

const T0 = Date.UTC(2026, 0, 1);

/** The log's retention in these cases. */
const RETENTION = 3_600_000;

const API: ApiTokenRecordLike = {
  id: "t1",
  name: "ci",
  capabilities: ["read"],
  expires_at: T0 / 1000 + 600,
  created_by: "root@example.com",
  created_at: T0 / 1000,
};
type ApiTokenRecordLike = Extract<TokenChange, { kind: "api_token" }>["record"];

/** Sorted, so that a whole state compares whatever order a store lists its rows in. */
function sorted(changes: TokenChange[]): TokenChange[] {
  return [...changes].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
}

/** Registers the change-log cases for the store that `make` builds. */
export function logConformance(name: string, make: MakeLoggedStore): void {
  describe(`${name} change log (TokenStore conformance)`, () => {
    async function withStores(
      run: (a: TokenStore, b: TokenStore, clock: { now: number }) => Promise<void>,
    ) {
      const clock = { now: T0 };
      const { store, close, second } = await make(() => clock.now, RETENTION);
      try {
        await run(store, second ? await second() : store, clock);
      } finally {
        await close?.();
      }
    }

    it("answers the whole state to a first read, then only what changed after a revision", () =>
      withStores(async (a, b) => {
        const empty = await b.changesSince();
        assert.equal(empty.reset, true);
        assert.deepEqual(empty.changes, []);
        await a.revokeId("s1", T0 + 60_000);
        await a.revokeAccount("ann@example.com", T0 / 1000, T0 + 120_000);
        await a.addApiToken(API);
        const first = await b.changesSince(empty.revision);
        assert.equal(first.reset, false);
        assert.ok(first.revision > empty.revision);
        assert.deepEqual(first.changes, [
          { kind: "revoke_id", id: "s1", until: T0 + 60_000 },
          {
            kind: "revoke_account",
            email: "ann@example.com",
            before: T0 / 1000,
            until: T0 + 120_000,
          },
          { kind: "api_token", record: API, until: API.expires_at * 1000 },
        ]);
        await a.removeApiToken("t1");
        const next = await b.changesSince(first.revision);
        assert.deepEqual(next.changes, [{ kind: "remove_api_token", id: "t1" }]);
        assert.deepEqual(await b.changesSince(next.revision), {
          revision: next.revision,
          reset: false,
          changes: [],
        });
        assert.deepEqual(
          sorted((await b.changesSince()).changes),
          sorted([
            { kind: "revoke_id", id: "s1", until: T0 + 60_000 },
            {
              kind: "revoke_account",
              email: "ann@example.com",
              before: T0 / 1000,
              until: T0 + 120_000,
            },
          ]),
        );
      }));

    it("keeps the later of two revocations of one account or id, and logs both", () =>
      withStores(async (a, b) => {
        await a.revokeAccount("ann@example.com", T0 / 1000 + 10, T0 + 120_000);
        await b.revokeAccount("ann@example.com", T0 / 1000, T0 + 60_000);
        await b.revokeId("s1", T0 + 60_000);
        const { revision } = await a.changesSince();
        await a.revokeId("s1", T0 + 30_000);
        // A grant's mark is written again at each change of the grant: a reader must see every one.
        assert.deepEqual((await b.changesSince(revision)).changes, [
          { kind: "revoke_id", id: "s1", until: T0 + 60_000 },
        ]);
        assert.deepEqual(
          sorted((await a.changesSince()).changes),
          sorted([
            { kind: "revoke_id", id: "s1", until: T0 + 60_000 },
            {
              kind: "revoke_account",
              email: "ann@example.com",
              before: T0 / 1000 + 10,
              until: T0 + 120_000,
            },
          ]),
        );
      }));

    it("changes its hint when another writer changed something", () =>
      withStores(async (a, b) => {
        await b.changesSince();
        const before = b.hint;
        await a.revokeId("s1", T0 + 60_000);
        // A store may check for other processes' commits at most every few ms.
        const deadline = Date.now() + 2000;
        while (b.hint === before && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.notEqual(b.hint, before);
      }));

    it("drops expired rows from the whole state", () =>
      withStores(async (a, b, clock) => {
        await a.revokeId("short", T0 + 10_000);
        await a.revokeId("long", T0 + 100_000);
        await a.addApiToken({ ...API, expires_at: T0 / 1000 + 10 });
        clock.now += 20_000;
        assert.deepEqual((await b.changesSince()).changes, [
          { kind: "revoke_id", id: "long", until: T0 + 100_000 },
        ]);
      }));

    it("prunes entries older than its retention: a reader behind them gets the whole state", () =>
      withStores(async (a, b, clock) => {
        const start = await b.changesSince();
        await a.revokeId("old", T0 + 10 * RETENTION);
        const middle = await b.changesSince(start.revision);
        clock.now += RETENTION + 1000;
        await a.revokeId("new", T0 + 10 * RETENTION);
        const behind = await b.changesSince(start.revision);
        assert.equal(behind.reset, true, "a reader behind the pruned entries reloads");
        assert.deepEqual(
          sorted(behind.changes),
          sorted([
            { kind: "revoke_id", id: "old", until: T0 + 10 * RETENTION },
            { kind: "revoke_id", id: "new", until: T0 + 10 * RETENTION },
          ]),
        );
        const current = await b.changesSince(middle.revision);
        assert.equal(current.reset, false, "a reader within the window reads the entries");
        assert.deepEqual(current.changes, [
          { kind: "revoke_id", id: "new", until: T0 + 10 * RETENTION },
        ]);
      }));

    it("answers true to the first use of a key only, for every user of the store", () =>
      withStores(async (a, b, clock) => {
        assert.equal(await a.useOnce("state-1", T0 + 600_000), true);
        assert.equal(await a.useOnce("state-1", T0 + 600_000), false);
        assert.equal(await b.useOnce("state-1", T0 + 600_000), false);
        assert.equal(await b.useOnce("state-2", T0 + 600_000), true);
        const many = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).useOnce("state-3", T0 + 600_000)),
        );
        assert.equal(many.filter(Boolean).length, 1);
        clock.now += 600_000;
        assert.equal(await a.useOnce("state-1", T0 + 1_200_000), true, "a record ends at until");
      }));
  });
}
