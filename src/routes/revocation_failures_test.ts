// A revocation when the store fails or goes back: what is written first makes
// a half-done revocation safe to retry, and a replica never trusts what it
// read of a grant before its view of the store was replaced.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StoreUnavailable } from "../errors.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import type {
  ApiTokenRecord,
  GrantRecord,
  TokenChanges,
  TokenStore,
} from "../stores/token_store.ts";
import { apiToken, DAY, example, login, replica, revoke, status } from "./_test_util.ts";

/** The store fails the writes `fail` picks (a blip, or a process dying between two writes). */
function failing(store: TokenStore, fail: (id: string) => boolean, meanwhile = async () => {}) {
  const revokeId = store.revokeId.bind(store);
  store.revokeId = async (id, until) => {
    if (fail(id)) throw new StoreUnavailable("the database cannot be reached");
    await revokeId(id, until);
    if (id.startsWith("grant:")) await meanwhile();
  };
  return () => (store.revokeId = revokeId);
}

/**
 * One database seen through a proxy: while `mirroring`, every write also goes
 * to a standby; `failOver()` switches to it, whose revisions are behind.
 */
class FailingOverStore implements TokenStore {
  #current: MemoryTokenStore;
  #standby: MemoryTokenStore;
  #switches = 0;
  mirroring = true;
  constructor(clock: () => number) {
    this.#current = new MemoryTokenStore({ clock });
    this.#standby = new MemoryTokenStore({ clock });
  }
  failOver(): void {
    this.#current = this.#standby;
    this.mirroring = false;
    this.#switches++;
  }
  get hint(): number {
    return this.#switches * 1e9 + this.#current.hint;
  }
  async #write<T>(write: (s: TokenStore) => Promise<T>): Promise<T> {
    const result = await write(this.#current);
    if (this.mirroring) await write(this.#standby);
    return result;
  }
  revokeId = (id: string, until: number) => this.#write((s) => s.revokeId(id, until));
  revokeAccount = (email: string, before: number, until: number) =>
    this.#write((s) => s.revokeAccount(email, before, until));
  addApiToken = (record: ApiTokenRecord) => this.#write((s) => s.addApiToken(record));
  removeApiToken = (id: string) => this.#write((s) => s.removeApiToken(id));
  useOnce = (key: string, until: number) => this.#write((s) => s.useOnce(key, until));
  putGrant = (record: GrantRecord, version: number) =>
    this.#write((s) => s.putGrant(record, version));
  changesSince = (revision?: number): Promise<TokenChanges> => this.#current.changesSince(revision);
  getGrant = (id: string) => this.#current.getGrant(id);
  grantsOf = (email: string) => this.#current.grantsOf(email);
}

describe("a revocation that fails half-way", () => {
  it("leaves what a replica read in between cached a minute at most, and can be retried by token", async () => {
    const { ex, store } = await example("memory");
    await using _ = ex;
    const other = replica(ex, store);
    const ann = await login(ex, "ann@example.com");
    const [stolen, kept] = [await ann.mint(), await ann.mint()];
    assert.equal(await status(ex, "/read", stolen, other), 200);
    // The first mark lands and the replica reads the grant before the record
    // changes; then the second mark fails, as if the process died.
    let marks = 0;
    const restore = failing(
      store,
      (id) => id.startsWith("grant:") && ++marks === 2,
      async () => assert.equal(await status(ex, "/read", stolen, other), 200, "read before"),
    );
    await revoke(ex, stolen, kept, 503);
    restore();
    assert.equal(await status(ex, "/read", stolen), 401, "refused where it was revoked");
    ex.clock.advance(61);
    assert.equal(await status(ex, "/read", stolen, other), 401, "a minute later on the replica");
    assert.equal(await status(ex, "/read", kept, other), 200);
    await revoke(ex, stolen, kept);
  });

  it("leaves a token that made tokens listed, a maker still: the retry revokes what it made", async () => {
    const { ex, open } = await example("memory");
    await using _ = ex;
    const max = await login(ex, "max@example.com");
    const child = await apiToken(ex, max.first);
    const restore = failing(open(), (id) => !id.startsWith("grant:"));
    await revoke(ex, max.first, max.first, 503);
    restore();
    assert.equal(await status(ex, "/write", max.first), 200, "not revoked: still listed");
    await revoke(ex, max.first);
    assert.equal(await status(ex, "/write", child), 401);
    ex.clock.advance(10 * DAY);
    assert.equal(await status(ex, "/write", child), 401);
  });
});

describe("a store that goes back in revisions (a restored backup, a fail-over)", () => {
  it("makes a replica read its grants again: a token revoked after it is refused there", async () => {
    const { ex, store } = await example((clock) => new FailingOverStore(clock));
    await using _ = ex;
    const other = replica(ex, store);
    const ann = await login(ex, "ann@example.com");
    const token = await ann.mint();
    // The standby stops receiving; the primary's revision moves on.
    store.mirroring = false;
    for (let i = 0; i < 20; i++) await store.revokeId(`other-${i}`, ex.clock.read() + 3_600_000);
    assert.equal(await status(ex, "/read", token, other), 200, "read at the primary's revision");
    store.failOver();
    await revoke(ex, token, ann.first);
    assert.equal(await status(ex, "/read", token), 401);
    assert.equal(await status(ex, "/read", token, other), 401);
    assert.equal(await status(ex, "/read", ann.first, other), 200);
  });
});

/** A memory store whose next `getGrant`, once armed, reads at once but answers when released. */
class SlowReadStore extends MemoryTokenStore {
  armed = false;
  readonly read: Promise<void>;
  #read!: () => void;
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));
  constructor(clock: () => number) {
    super({ clock });
    this.read = new Promise((resolve) => (this.#read = resolve));
  }
  release(): void {
    this.#release();
  }
  override async getGrant(id: string): Promise<GrantRecord | undefined> {
    const record = await super.getGrant(id);
    if (!this.armed) return record;
    this.armed = false;
    this.#read();
    await this.#released; // a slow round trip, a busy event loop
    return record;
  }
}

describe("a first use of a token in flight while it is revoked", () => {
  it("answers 401 to the requests sent after the revocation answered", async () => {
    const { ex, store } = await example((clock) => new SlowReadStore(clock));
    await using _ = ex;
    const ann = await login(ex, "ann@example.com");
    const stolen = await ann.mint();
    assert.equal(await status(ex, "/read", ann.first), 200, "the grant's validation is cached");
    store.armed = true;
    const before = status(ex, "/read", stolen);
    await store.read;
    await revoke(ex, stolen, ann.first);
    const after = status(ex, "/read", stolen);
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.release();
    await before;
    assert.equal(await after, 401);
    assert.equal(await status(ex, "/read", stolen), 401);
  });
});
