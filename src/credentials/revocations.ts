/**
 * Revoked tokens and sessions (by id, and by account: "everything issued to
 * this account until now") and the list of issued API tokens, kept in a
 * `TokenStore`. Each manager holds a view in memory (the per-request check is
 * two `Map` lookups) and catches up by reading the store's log after the last
 * revision it applied, whenever the store's `hint` says there may be more.
 *
 * @module
 */
import {
  type ApiTokenRecord,
  MAX_TOKEN_LIFETIME,
  type TokenChange,
  type TokenStore,
} from "../stores/token_store.ts";
import { SESSION_TTL } from "./session.ts";
import { canonicalAccount } from "../_email.ts";
import { GrantMarks, MARK_KEPT, markId } from "./_grant_marks.ts";

export { MAX_TOKEN_LIFETIME };

/** What a revocation check needs to know of a token or session. */
export interface RevocationProbe {
  readonly email: string;
  readonly tokenId?: string | undefined;
  /** Seconds since the epoch. */
  readonly issuedAt?: number | undefined;
  /** The tokens that made this one: it is revoked with any of them. */
  readonly parents?: readonly RevocationProbe[] | undefined;
  /** The accounts that made this token: revoking one's tokens revokes those it made until then. */
  readonly createdBy?: readonly string[] | undefined;
}

/** Milliseconds before a store that failed to load is read again (wall-clock time, not the app's clock). */
const RETRY_MS = 1_000;

/** Milliseconds (of the app's clock) between two sweeps of expired entries from the view. */
const SWEEP_EVERY = 60_000;

/** The revocation list and API-token registry of one manager. */
export class Revocations {
  readonly #store: TokenStore;
  readonly #clock: () => number;
  readonly #onStale: (error: unknown) => void;
  readonly #ids = new Map<string, number>();
  readonly #accounts = new Map<string, { before: number; until: number }>();
  readonly #apiTokens = new Map<string, ApiTokenRecord>();
  /** The marks of grants whose tokens changed (see {@link grantChanged}). */
  readonly marks: GrantMarks;
  /** The ids of the API tokens by creator and by name: a person's list costs her tokens only. */
  readonly #byCreator = new Map<string, Set<string>>();
  readonly #byName = new Map<string, Set<string>>();
  /** The last revision applied; undefined before the first load. */
  #revision: number | undefined;
  /** The store's `hint` when the last catch-up started. */
  #seen: number | undefined;
  #loading: Promise<void> | undefined;
  /** The tail of the catch-ups, one at a time so that entries apply in order. */
  #pulls: Promise<void> = Promise.resolve();
  #pending: Promise<void> | undefined;
  /** The last failed load, retried after a pause so that a broken store is not re-read per request. */
  #failed: { at: number; error: unknown } | undefined;
  #nextSweep = -Infinity;

  /**
   * @param onStale Told when the store's log could not be read: the view in
   *   memory stays in use until the store's next change.
   */
  constructor(
    store: TokenStore,
    clock: () => number,
    onStale: (error: unknown) => void = () => {},
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#onStale = onStale;
    this.marks = new GrantMarks(clock);
  }

  /**
   * Whether the view is loaded and the store has nothing new (then `ready()`
   * answers `undefined`): read by the request fast path, it must stay cheap.
   */
  get loaded(): boolean {
    return this.#revision !== undefined && this.#store.hint === this.#seen;
  }

  /**
   * Loads the view once, then catches up with the store's log whenever its
   * `hint` changed; `undefined` when the view is current.
   */
  ready(): Promise<void> | undefined {
    if (this.#revision !== undefined) {
      if (this.#store.hint === this.#seen) return undefined;
      this.#pending ??= this.#pull().catch((error) => {
        // Not retried per request: the store's next change is.
        this.#onStale(error);
      }).finally(() => {
        this.#pending = undefined;
      });
      return this.#pending;
    }
    const failed = this.#failed;
    if (failed && Date.now() - failed.at < RETRY_MS) return Promise.reject(failed.error);
    this.#loading ??= this.#pull().then(() => {
      this.#failed = undefined;
    }, (error) => {
      this.#loading = undefined;
      this.#failed = { at: Date.now(), error };
      throw error;
    });
    return this.#loading;
  }

  /** Reads what the store holds after the view's revision, one read at a time. */
  #pull(): Promise<void> {
    const run = this.#pulls.then(async () => {
      // Noted before reading: a change committed during the read bumps the hint again.
      const hint = this.#store.hint;
      const { revision, reset, changes } = await this.#store.changesSince(this.#revision);
      // After a reset (a store restored from a backup may go back in
      // revisions), what was read of any grant before is read again.
      const generation = this.marks.next(reset);
      if (reset) {
        this.#ids.clear();
        this.#accounts.clear();
        this.#apiTokens.clear();
        this.#byCreator.clear();
        this.#byName.clear();
      }
      for (const change of changes) this.#apply(change, generation);
      this.#revision = revision;
      this.#seen = hint;
      this.#sweep();
    });
    this.#pulls = run.catch(() => {});
    return run;
  }

  /** Whether the token or session is revoked (call `ready()` first). */
  isRevoked(probe: RevocationProbe): boolean {
    if (this.#revokedItself(probe)) return true;
    if (probe.parents?.some((p) => this.#revokedItself(p))) return true;
    return probe.createdBy?.some((account) => {
      const before = this.#accounts.get(account)?.before;
      return before !== undefined && (probe.issuedAt ?? 0) <= before;
    }) ?? false;
  }

  #revokedItself(probe: RevocationProbe): boolean {
    if (probe.tokenId !== undefined && this.#ids.has(probe.tokenId)) return true;
    const before = this.#accounts.get(probe.email)?.before;
    return before !== undefined && (probe.issuedAt ?? 0) <= before;
  }

  /** Revokes one token or session, remembered until `expiresAt` (epoch ms). */
  async revokeId(tokenId: string, expiresAt: number): Promise<void> {
    await this.ready();
    await this.#store.revokeId(tokenId, expiresAt);
    if (this.#apiTokens.has(tokenId)) await this.#store.removeApiToken(tokenId);
    await this.#pull();
  }

  /**
   * Revokes everything issued to `email` until now. The store forgets the
   * revocation once nothing it revokes can be alive: an account's with its
   * longest-lived tokens, an API name's with the last of its tokens, and a
   * back-channel logout's (keys "logout …", see `grants/provider_logout.ts`)
   * with the sessions it ends, by which time the provider has refused the
   * plain logins' refresh tokens too. `before` (seconds, default now) is
   * for a revocation that must be the same however often it is written.
   */
  async revokeAccount(account: string, before?: number | undefined): Promise<void> {
    await this.ready();
    const email = canonicalAccount(account);
    const now = Math.floor(this.#clock() / 1000);
    let until = (now + MAX_TOKEN_LIFETIME) * 1000;
    if (email.startsWith("logout ")) {
      until = (now + SESSION_TTL) * 1000;
    } else if (email.startsWith("api:")) {
      // An API name's revocation ends with the last of its tokens that it revokes.
      const name = email.slice(4);
      const ends = [...this.#apiTokens.values()].filter((t) =>
        t.name === name && t.created_at <= now
      ).map((t) => t.expires_at * 1000);
      if (ends.length > 0) until = Math.max(...ends);
    }
    await this.#store.revokeAccount(email, before ?? now, until);
    await this.#pull();
  }

  /**
   * Marks that the tokens of grant `gid` change (one is revoked): every
   * replica then reads the record again before it accepts a token of that
   * grant that it had cached. Written before the record changes and after:
   * one row per grant, however many of its tokens are revoked, kept as long
   * as a replica may cache what it read of the grant.
   */
  async grantChanged(gid: string): Promise<void> {
    await this.ready();
    await this.#store.revokeId(markId(gid), this.#clock() + MARK_KEPT);
    await this.#pull();
  }

  /** True the first time `key` is used while its record lasts (`until`, ms), on every replica. */
  useOnce(key: string, until: number): Promise<boolean> {
    return this.#store.useOnce(key, until);
  }

  /** Records an issued API token, for `GET /token/api`. */
  async addApiToken(record: ApiTokenRecord): Promise<void> {
    await this.ready();
    await this.#store.addApiToken(record);
    await this.#pull();
  }

  /**
   * The API tokens issued, unexpired and not revoked; only those made by
   * `createdBy` and named `name` when given, found through an index.
   */
  apiTokens(
    only: { createdBy?: string | undefined; name?: string | undefined } = {},
  ): ApiTokenRecord[] {
    const now = this.#clock() / 1000;
    const { createdBy, name } = only;
    const ids = createdBy !== undefined
      ? this.#byCreator.get(createdBy)
      : name !== undefined
      ? this.#byName.get(name)
      : this.#apiTokens.keys();
    const records: ApiTokenRecord[] = [];
    for (const id of ids ?? []) {
      const record = this.#apiTokens.get(id);
      if (record && (name === undefined || record.name === name)) records.push(record);
    }
    return records.filter((t) =>
      t.expires_at > now &&
      !this.isRevoked({
        email: `api:${t.name}`,
        tokenId: t.id,
        issuedAt: t.created_at,
        parents: Array.isArray(t.parents) ? t.parents : undefined,
        createdBy: [t.created_by],
      })
    ).map((t) => structuredClone(t));
  }

  /** Applies one change read in catch-up number `generation`. */
  #apply(change: TokenChange, generation: number): void {
    switch (change.kind) {
      case "revoke_id":
        if (this.marks.apply(change.id, change.until, generation)) break;
        this.#ids.set(change.id, Math.max(change.until, this.#ids.get(change.id) ?? -Infinity));
        break;
      case "revoke_account": {
        const had = this.#accounts.get(change.email);
        this.#accounts.set(change.email, {
          before: Math.max(change.before, had?.before ?? -Infinity),
          until: Math.max(change.until, had?.until ?? -Infinity),
        });
        break;
      }
      case "api_token":
        this.#removeApiToken(change.record.id);
        this.#apiTokens.set(change.record.id, change.record);
        index(this.#byCreator, change.record.created_by).add(change.record.id);
        index(this.#byName, change.record.name).add(change.record.id);
        break;
      case "remove_api_token":
        this.#removeApiToken(change.id);
        break;
    }
  }

  /** Drops what has expired from the view, at most once a minute. */
  #sweep(): void {
    const now = this.#clock();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_EVERY;
    for (const [id, until] of this.#ids) if (until <= now) this.#ids.delete(id);
    this.marks.sweep(now);
    for (const [email, row] of this.#accounts) if (row.until <= now) this.#accounts.delete(email);
    for (const [id, t] of this.#apiTokens) {
      if (t.expires_at * 1000 <= now) this.#removeApiToken(id);
    }
  }

  #removeApiToken(id: string): void {
    const record = this.#apiTokens.get(id);
    if (record === undefined) return;
    this.#apiTokens.delete(id);
    unindex(this.#byCreator, record.created_by, id);
    unindex(this.#byName, record.name, id);
  }
}

function index(map: Map<string, Set<string>>, key: string): Set<string> {
  let ids = map.get(key);
  if (ids === undefined) map.set(key, ids = new Set());
  return ids;
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids?.delete(id) && ids.size === 0) map.delete(key);
}
