import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Revocations } from "./revocations.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import type { TokenChanges } from "../stores/token_store.ts";
import { TestClock } from "../../testing/_fixtures.ts";

/** A memory store that records what each `changesSince` answered. */
class CountingStore extends MemoryTokenStore {
  readonly reads: TokenChanges[] = [];
  override async changesSince(revision?: number): Promise<TokenChanges> {
    const answer = await super.changesSince(revision);
    this.reads.push(answer);
    return answer;
  }
}

describe("Revocations", () => {
  it("catches up with another writer by reading only the entries after its revision", async () => {
    const clock = new TestClock();
    const store = new CountingStore({ clock: clock.read });
    const writer = new Revocations(store, clock.read);
    const reader = new Revocations(store, clock.read);
    for (let i = 0; i < 50; i++) await writer.revokeId(`old-${i}`, clock.now + 60_000);
    await reader.ready();
    assert.equal(reader.loaded, true);
    await writer.revokeId("s1", clock.now + 60_000);
    assert.equal(reader.loaded, false, "the store's hint changed");
    assert.equal(reader.isRevoked({ email: "a@b.c", tokenId: "s1" }), false);
    store.reads.length = 0;
    await reader.ready();
    assert.equal(reader.isRevoked({ email: "a@b.c", tokenId: "s1" }), true);
    assert.deepEqual(store.reads.map((r) => [r.reset, r.changes.length]), [[false, 1]]);
    assert.equal(reader.ready(), undefined, "nothing more to read");
  });

  it("records an account's revocation under its lowercased email, and logout keys as given", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const revocations = new Revocations(store, clock.read);
    await revocations.revokeAccount("Ann@Example.com");
    await revocations.revokeAccount("api:CI");
    await revocations.revokeAccount("logout sub https://idp Sub-A");
    const { changes } = await store.changesSince();
    assert.deepEqual(changes.map((c) => c.kind === "revoke_account" && c.email), [
      "ann@example.com",
      "api:ci",
      "logout sub https://idp Sub-A",
    ]);
  });

  it("lists one creator's or one name's API tokens by looking at those only, not every API token", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const now = clock.now / 1000;
    for (let i = 0; i < 1000; i++) {
      await store.addApiToken({
        id: `id${i}`,
        name: `n${i % 50}`,
        capabilities: ["read"],
        expires_at: now + 86400,
        created_by: `user${i % 100}@example.com`,
        created_at: now,
      });
    }
    let looked = 0;
    const revocations = new (class extends Revocations {
      override isRevoked(probe: Parameters<Revocations["isRevoked"]>[0]): boolean {
        looked++;
        return super.isRevoked(probe);
      }
    })(store, clock.read);
    await revocations.ready();
    const mine = revocations.apiTokens({ createdBy: "user7@example.com" });
    assert.deepEqual(
      mine.map((t) => t.id).sort(),
      Array.from({ length: 10 }, (_, k) => `id${7 + 100 * k}`).sort(),
    );
    assert.equal(looked, 10, "only the creator's tokens were looked at");
    looked = 0;
    assert.equal(revocations.apiTokens({ name: "n3" }).length, 20);
    assert.equal(looked, 20);
    await revocations.revokeId("id7", clock.now + 60_000);
    assert.equal(revocations.apiTokens({ createdBy: "user7@example.com" }).length, 9);
    assert.equal(revocations.apiTokens().length, 999);
  });

  it("reloads the whole state once when it fell behind the store's pruned log", async () => {
    const clock = new TestClock();
    const store = new CountingStore({ clock: clock.read, logRetention: 60_000 });
    const writer = new Revocations(store, clock.read);
    const reader = new Revocations(store, clock.read);
    await reader.ready();
    await writer.revokeId("s1", clock.now + 3_600_000);
    clock.advance(120);
    await writer.revokeAccount("ann@example.com");
    store.reads.length = 0;
    await reader.ready();
    assert.deepEqual(store.reads.map((r) => r.reset), [true]);
    assert.equal(reader.isRevoked({ email: "a@b.c", tokenId: "s1" }), true);
    assert.equal(
      reader.isRevoked({ email: "ann@example.com", issuedAt: clock.now / 1000 - 1 }),
      true,
    );
    await writer.revokeId("s2", clock.now + 3_600_000);
    store.reads.length = 0;
    await reader.ready();
    assert.deepEqual(store.reads.map((r) => r.reset), [false], "then reads entries again");
    assert.equal(reader.isRevoked({ email: "a@b.c", tokenId: "s2" }), true);
  });

  it("drops an API name's revocation once the last token it revokes has expired", async () => {
    const clock = new TestClock();
    const store = new MemoryTokenStore({ clock: clock.read });
    const revocations = new Revocations(store, clock.read);
    const now = Math.floor(clock.now / 1000);
    await revocations.addApiToken({
      id: "t1",
      name: "ci",
      capabilities: ["read"],
      expires_at: now + 100,
      created_by: "root@example.com",
      created_at: now,
    });
    await revocations.revokeAccount("api:ci");
    await revocations.revokeId("session-1", clock.now + 50_000);
    assert.ok(revocations.isRevoked({ email: "api:ci", tokenId: "t1", issuedAt: now }));
    assert.deepEqual(revocations.apiTokens(), []);
    clock.advance(200);
    const { changes } = await store.changesSince();
    assert.deepEqual(changes, [], "every entry expired with what it revoked");
  });

  it("keeps its view and reports the failure when the store's log cannot be read", async () => {
    const clock = new TestClock();
    let broken = false;
    const store = new class extends MemoryTokenStore {
      override changesSince(revision?: number): Promise<TokenChanges> {
        return broken ? Promise.reject(new Error("disk gone")) : super.changesSince(revision);
      }
    }({ clock: clock.read });
    const stale: unknown[] = [];
    const revocations = new Revocations(store, clock.read, (error) => stale.push(error));
    await revocations.revokeId("s1", clock.now + 60_000);
    broken = true;
    await store.revokeId("s2", clock.now + 60_000);
    await revocations.ready();
    assert.equal(stale.length, 1);
    assert.equal(revocations.isRevoked({ email: "a@b.c", tokenId: "s1" }), true);
    broken = false;
    await store.revokeId("s3", clock.now + 60_000);
    await revocations.ready();
    assert.equal(revocations.isRevoked({ email: "a@b.c", tokenId: "s2" }), true);
  });
});
