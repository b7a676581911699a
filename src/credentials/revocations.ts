/**
 * Revoked tokens and sessions (by id, and by account: "everything issued to
 * this account until now") and the list of issued API tokens, kept in a
 * `TokenStore`. The per-request check is two `Map` lookups.
 *
 * @module
 */
import type { ApiTokenRecord, TokenState, TokenStore } from "../stores/token_store.ts";

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

/** The longest any token lives (seconds): account revocations are kept that long. */
export const MAX_TOKEN_LIFETIME = 365 * 24 * 3600;

/** Milliseconds before a store that failed to load is read again (wall-clock time, not the app's clock). */
const RETRY_MS = 1_000;

/** The revocation list and API-token registry of one manager. */
export class Revocations {
  readonly #store: TokenStore;
  readonly #clock: () => number;
  readonly #onStale: (error: unknown) => void;
  #ids = new Map<string, number>();
  #accounts = new Map<string, number>();
  #apiTokens = new Map<string, ApiTokenRecord>();
  #loaded: Promise<void> | undefined;
  #catchUp: Promise<void> | undefined;
  #ready = false;
  /** The store's `version` when it was last loaded. */
  #seen: number | undefined;
  /** The last failed load, retried after a pause so that a broken file is not re-read per request. */
  #failed: { at: number; error: unknown } | undefined;

  /**
   * @param onStale Told when a shared store changed but could not be read
   *   again: the last good copy stays in use until its next change.
   */
  constructor(
    store: TokenStore,
    clock: () => number,
    onStale: (error: unknown) => void = () => {},
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#onStale = onStale;
  }

  /**
   * Whether the store has been loaded and did not change since (then `ready()`
   * answers `undefined`): read by the request fast path, it must stay cheap.
   */
  get loaded(): boolean {
    return this.#ready && this.#store.version === this.#seen && this.#store.sync?.() === undefined;
  }

  /**
   * Loads the store once, and again when a store shared with other processes
   * says it changed (`TokenStore.version`, `sync`); `undefined` when the state
   * in memory is current.
   */
  ready(): Promise<void> | undefined {
    if (this.#ready) {
      const checking = this.#store.sync?.();
      if (checking === undefined && this.#store.version === this.#seen) return undefined;
      this.#catchUp ??= (checking ?? Promise.resolve()).then(() => this.#reload()).catch(
        (error) => {
          // Not retried per request: the store's next change is.
          this.#seen = this.#store.version;
          this.#onStale(error);
        },
      ).finally(() => {
        this.#catchUp = undefined;
      });
      return this.#catchUp;
    }
    const failed = this.#failed;
    if (failed && Date.now() - failed.at < RETRY_MS) return Promise.reject(failed.error);
    this.#loaded ??= this.#reload().then(() => {
      this.#ready = true;
      this.#failed = undefined;
    }, (error) => {
      this.#loaded = undefined;
      this.#failed = { at: Date.now(), error };
      throw error;
    });
    return this.#loaded;
  }

  async #reload(): Promise<void> {
    const version = this.#store.version;
    if (version === this.#seen && this.#ready) return;
    this.#apply(await this.#store.load());
    this.#seen = version;
  }

  /** Whether the token or session is revoked (call `ready()` first). */
  isRevoked(probe: RevocationProbe): boolean {
    if (this.#revokedItself(probe)) return true;
    if (probe.parents?.some((p) => this.#revokedItself(p))) return true;
    return probe.createdBy?.some((account) => {
      const before = this.#accounts.get(account);
      return before !== undefined && (probe.issuedAt ?? 0) <= before;
    }) ?? false;
  }

  #revokedItself(probe: RevocationProbe): boolean {
    if (probe.tokenId !== undefined && this.#ids.has(probe.tokenId)) return true;
    const before = this.#accounts.get(probe.email);
    return before !== undefined && (probe.issuedAt ?? 0) <= before;
  }

  /** Revokes one token or session, remembered until `expiresAt` (epoch ms). */
  async revokeId(tokenId: string, expiresAt: number): Promise<void> {
    await this.#update((s) => {
      s.revoked_ids[tokenId] = expiresAt;
      delete s.api_tokens[tokenId];
    });
  }

  /** Revokes everything issued to `email` until now. */
  async revokeAccount(email: string): Promise<void> {
    const now = Math.floor(this.#clock() / 1000);
    await this.#update((s) => {
      s.revoked_accounts[email] = now;
    });
  }

  /** Records an issued API token, for `GET /token/api`. */
  async addApiToken(record: ApiTokenRecord): Promise<void> {
    await this.#update((s) => {
      s.api_tokens[record.id] = record;
    });
  }

  /** The API tokens issued, unexpired and not revoked. */
  apiTokens(): ApiTokenRecord[] {
    const now = this.#clock() / 1000;
    return [...this.#apiTokens.values()].filter((t) =>
      t.expires_at > now &&
      !this.isRevoked({
        email: `api:${t.name}`,
        tokenId: t.id,
        issuedAt: t.created_at,
        parents: Array.isArray(t.parents) ? t.parents : undefined,
        createdBy: [t.created_by],
      })
    );
  }

  async #update(change: (state: TokenState) => void): Promise<void> {
    await this.ready();
    const state = await this.#store.update((s) => {
      change(s);
      this.#prune(s);
      return s;
    });
    this.#apply(state);
  }

  #prune(s: TokenState): void {
    const now = this.#clock();
    for (const [id, until] of Object.entries(s.revoked_ids)) {
      if (until <= now) delete s.revoked_ids[id];
    }
    for (const [id, t] of Object.entries(s.api_tokens)) {
      if (t.expires_at * 1000 <= now) delete s.api_tokens[id];
    }
    const records = Object.values(s.api_tokens);
    for (const [email, before] of Object.entries(s.revoked_accounts)) {
      // An API name's revocation ends with the last of its tokens that it revokes.
      const outlived = email.startsWith("api:")
        ? !records.some((t) => `api:${t.name}` === email && t.created_at <= before)
        : (before + MAX_TOKEN_LIFETIME) * 1000 <= now;
      if (outlived) delete s.revoked_accounts[email];
    }
  }

  #apply(state: TokenState): void {
    this.#ids = new Map(Object.entries(state.revoked_ids));
    this.#accounts = new Map(Object.entries(state.revoked_accounts));
    this.#apiTokens = new Map(Object.entries(state.api_tokens));
  }
}
