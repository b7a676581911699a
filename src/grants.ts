/**
 * Grants: one record per login at the provider, kept in the `TokenStore`,
 * holding the provider's newest refresh token (sealed under its own purpose).
 * Tokens handed to scripts and the browser session refer to a grant by id, so
 * that a rotated refresh token (RFC 9700 §4.14) reaches every holder, a grant
 * is validated at the provider once whatever the number of tokens minted from
 * it, and revoking one token touches no other.
 *
 * @module
 */
import { ExpiringCache } from "./_cache.ts";
import { type Identity, type OidcClient, TokenRefused } from "./oidc/client.ts";
import { randomId, type Sealer } from "./seal.ts";
import type { GrantRecord, TokenStore } from "./stores/token_store.ts";
import {
  CAS_ATTEMPTS,
  changeGrant,
  checkedOf,
  ContendedGrant,
  type GrantData,
  lastCheck,
  type Secrets,
} from "./_grant_data.ts";

/** A live grant, as `mint` and `/logout` see it. */
export interface GrantView {
  id: string;
  email: string;
  hasRefreshToken: boolean;
}

/** Most live tokens an account may hold from `/token` at once. */
export const MAX_TOKENS_PER_ACCOUNT = 100;
/**
 * How long a refresh may hold a grant (ms): longer than the two provider calls
 * it makes (token endpoint and userinfo, 10 s each at most), so that no other
 * process refreshes the same refresh token meanwhile, which a provider that
 * rotates them takes for a replay (RFC 9700 §4.14.2) and answers by revoking
 * the grant.
 */
const LEASE_MS = 30_000;
/** Pause between two looks at a grant another process is refreshing (ms). */
const LEASE_POLL_MS = 50;

/** Thrown when a grant is gone, dead or unusable: the token holding it is invalid. */
export class GrantEnded extends Error {
  constructor(message = "The login behind this token has ended; get a new token.") {
    super(message);
    this.name = "GrantEnded";
  }
}

/** The grants of one manager. */
export class Grants {
  readonly #store: TokenStore;
  readonly #sealer: Sealer;
  readonly #clock: () => number;
  readonly #oidc: OidcClient;
  readonly #validated: ExpiringCache<{ identity: Identity; until: number }>;
  readonly #inflight = new Map<string, Promise<{ identity: Identity; until: number }>>();

  constructor(store: TokenStore, sealer: Sealer, clock: () => number, oidc: OidcClient) {
    this.#store = store;
    this.#sealer = sealer;
    this.#clock = clock;
    this.#oidc = oidc;
    this.#validated = new ExpiringCache(10_000, clock);
  }

  /**
   * Records a login. `id` is given for tokens and sessions of the old format
   * (`legacy-<their id>`), so that migrating one twice finds the same record.
   * @returns The grant's id.
   */
  async create(
    identity: Identity,
    secrets: Secrets,
    refs: { sessionUntil: number; tokens: string[]; checkedUntil?: number },
    lifetime: number,
    id: string = randomId(),
  ): Promise<string> {
    const data: GrantData = {
      sealed: await this.#sealer.seal("refresh_token", { gid: id, ...secrets }),
      sub: identity.sub,
      iss: identity.iss,
      ...(identity.name ? { name: identity.name } : {}),
      session_until: refs.sessionUntil,
      tokens: refs.tokens,
      ...(refs.checkedUntil ? { checked: checkedOf(identity, refs.checkedUntil) } : {}),
    };
    const record: GrantRecord = {
      id,
      email: identity.email,
      version: 1,
      expires_at: this.#seconds() + lifetime,
      data,
    };
    if (!(await this.#store.putGrant(record, 0)) && !(await this.#store.getGrant(id))) {
      throw new Error("the token store refused a new grant record");
    }
    return id;
  }

  /** The grant when it is alive (not dead, not expired). */
  async live(id: string): Promise<GrantView | undefined> {
    const record = await this.#store.getGrant(id);
    if (!record || (record.data as GrantData).dead) return undefined;
    const secrets = await this.#secrets(record);
    return { id, email: record.email, hasRefreshToken: secrets?.rt !== undefined };
  }

  /** How many live tokens `email` holds from `/token`, over all its grants. */
  async tokenCount(email: string): Promise<number> {
    const grants = await this.#store.grantsOf(email);
    return grants.reduce(
      (n, r) => n + ((r.data as GrantData).dead ? 0 : (r.data as GrantData).tokens.length),
      0,
    );
  }

  /**
   * Adds a token id to a live grant and extends its life to the token's.
   * @returns false when the grant is gone or dead.
   */
  async addToken(id: string, tokenId: string, lifetime: number): Promise<boolean> {
    const until = this.#seconds() + lifetime;
    const record = await changeGrant(this.#store, id, (data) => {
      if (data.dead) return undefined;
      return { ...data, tokens: [...data.tokens, tokenId] };
    }, until);
    return record !== undefined && !(record.data as GrantData).dead &&
      (record.data as GrantData).tokens.includes(tokenId);
  }

  /**
   * Who holds the grant now, from a refresh at the provider, cached until the
   * provider's `expires_in` and coalesced: however many tokens refer to one
   * grant, one refresh runs at a time. A rotated refresh token replaces the
   * stored one; a refusal (`invalid_grant`) marks the grant dead.
   * @throws {GrantEnded} When the grant is gone or dead.
   * @throws {TokenRefused} When the provider refuses it now.
   * @throws {ProviderUnavailable} When the provider cannot be asked.
   */
  validate(id: string): Promise<{ identity: Identity; until: number }> {
    const known = this.#validated.get(id);
    if (known) return Promise.resolve(known);
    let pending = this.#inflight.get(id);
    if (!pending) {
      pending = this.#refresh(id).then((answer) => {
        this.#validated.set(id, answer, answer.until);
        return answer;
      }).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  /**
   * One validation of a grant, shared by the processes that use the store:
   * a fresh `checked` is used as is; else this process takes the grant's
   * lease (compare-and-set), refreshes, and stores the rotated refresh token
   * and the answer, while the others wait for it.
   */
  async #refresh(id: string): Promise<{ identity: Identity; until: number }> {
    let lost = 0;
    for (let waited = 0;; waited += LEASE_POLL_MS) {
      const record = await this.#store.getGrant(id);
      const data = record?.data as GrantData | undefined;
      if (!record || !data || data.dead) throw new GrantEnded();
      const now = this.#clock();
      if (data.checked && data.checked.until > now) return lastCheck(data);
      if (data.lease && data.lease > now && waited < LEASE_MS) {
        await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
        continue;
      }
      const leased = {
        ...record,
        version: record.version + 1,
        data: { ...data, lease: now + LEASE_MS },
      };
      if (await this.#store.putGrant(leased, record.version)) {
        return await this.#refreshLeased(leased);
      }
      if (++lost >= CAS_ATTEMPTS) throw new ContendedGrant();
    }
  }

  async #refreshLeased(record: GrantRecord): Promise<{ identity: Identity; until: number }> {
    const data = record.data as GrantData;
    const secrets = await this.#secrets(record);
    let result;
    try {
      if (!secrets?.rt) throw new GrantEnded();
      result = await this.#oidc.refresh(secrets.rt, { iss: data.iss, sub: data.sub });
    } catch (error) {
      const refused = error instanceof TokenRefused || error instanceof GrantEnded;
      await changeGrant(
        this.#store,
        record.id,
        ({ lease: _, ...rest }) => ({ ...rest, ...(refused ? { dead: true } : {}) }),
      );
      throw error;
    }
    const rotated = result.refreshToken && result.refreshToken !== secrets.rt
      ? await this.#sealer.seal("refresh_token", {
        gid: record.id,
        ...secrets,
        rt: result.refreshToken,
      })
      : undefined;
    const checked = checkedOf(result.identity, result.expiresAt);
    await changeGrant(this.#store, record.id, ({ lease: _, ...rest }) => ({
      ...rest,
      ...(rotated ? { sealed: rotated } : {}),
      checked,
    }));
    return { identity: result.identity, until: result.expiresAt };
  }

  /**
   * Takes a holder (a token id, or the session) off the grant; when nothing
   * refers to it any more, its refresh token is revoked at the provider
   * (RFC 7009) and the grant is dead.
   * @returns Whether the provider confirmed a revocation.
   */
  async release(id: string, holder: { tokenId: string } | { session: true }): Promise<boolean> {
    let ended = false;
    const record = await changeGrant(this.#store, id, (data) => {
      ended = false;
      if (data.dead) return undefined;
      const tokens = "tokenId" in holder
        ? data.tokens.filter((t) => t !== holder.tokenId)
        : data.tokens;
      const sessionUntil = "session" in holder ? 0 : data.session_until;
      ended = tokens.length === 0 && sessionUntil <= this.#clock();
      return { ...data, tokens, session_until: sessionUntil, ...(ended ? { dead: true } : {}) };
    });
    // Only the release that ended the grant revokes it (once) at the provider,
    // and only when the account has no other live login: providers may keep
    // one grant for several logins of a browser (oidc-provider does), and
    // revoking a refresh token revokes its whole grant there (RFC 7009 §2.1).
    if (!record || !ended || await this.#othersLive(record)) return false;
    return await this.#revokeAtProvider(record);
  }

  async #othersLive(record: GrantRecord): Promise<boolean> {
    const now = this.#clock();
    return (await this.#store.grantsOf(record.email)).some((other) => {
      const data = other.data as GrantData;
      return other.id !== record.id && !data.dead &&
        (data.tokens.length > 0 || data.session_until > now);
    });
  }

  /** Revokes every grant of an account at the provider and marks them dead. */
  async revokeAccount(email: string): Promise<void> {
    for (const record of await this.#store.grantsOf(email)) {
      if ((record.data as GrantData).dead) continue;
      const after = await this.#kill(record.id);
      if (after) await this.#revokeAtProvider(after);
    }
  }

  /** The ID token of a grant, for `id_token_hint` at logout. */
  async idToken(id: string): Promise<string | undefined> {
    const record = await this.#store.getGrant(id);
    return record && (await this.#secrets(record))?.idt;
  }

  async #revokeAtProvider(record: GrantRecord): Promise<boolean> {
    this.#validated.delete(record.id);
    const rt = (await this.#secrets(record))?.rt;
    // The local state stands whatever the provider says; its answer is reported.
    return rt === undefined ? false : await this.#oidc.revoke(rt).catch(() => false);
  }

  #kill(id: string): Promise<GrantRecord | undefined> {
    this.#validated.delete(id);
    return changeGrant(
      this.#store,
      id,
      (data) => (data.dead ? undefined : { ...data, dead: true }),
    );
  }

  async #secrets(record: GrantRecord): Promise<Secrets | undefined> {
    const sealed = (record.data as GrantData).sealed;
    const opened = typeof sealed === "string"
      ? await this.#sealer.open<Secrets & { gid?: string }>("refresh_token", sealed)
      : null;
    // Bound to its record: a sealed value copied into another record does not open there.
    if (!opened || opened.gid !== record.id) return undefined;
    return { rt: opened.rt, idt: opened.idt };
  }

  #seconds(): number {
    return Math.floor(this.#clock() / 1000);
  }
}
