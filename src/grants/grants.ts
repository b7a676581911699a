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
import { ExpiringCache } from "../_cache.ts";
import { type Identity, type OidcClient, TokenRefused } from "../oidc/client.ts";
import { randomId, type Sealer } from "../crypto/seal.ts";
import { canonicalEmail } from "../_email.ts";
import type { GrantRecord, TokenStore } from "../stores/token_store.ts";
import { changeGrant, checkedOf, type GrantData, type Secrets, serialized } from "./grant_data.ts";
import { type GrantContext, GrantEnded, openSecrets, refreshGrant } from "./_refresh.ts";

export { GrantEnded } from "./_refresh.ts";

/** A live grant, as `mint` and `/logout` see it. */
export interface GrantView {
  id: string;
  email: string;
  hasRefreshToken: boolean;
}

/** Most live tokens an account may hold from `/token` at once. */
export const MAX_TOKENS_PER_ACCOUNT = 100;
/**
 * Most grant records an account may have: past it, a new login lets go of
 * the account's dead records and its oldest logins no token refers to. Above
 * the token bound, so that logins holding tokens are never the ones let go.
 */
export const MAX_GRANTS_PER_ACCOUNT = MAX_TOKENS_PER_ACCOUNT + 20;

/** The grants of one manager. */
export class Grants {
  readonly #store: TokenStore;
  readonly #sealer: Sealer;
  readonly #clock: () => number;
  readonly #oidc: OidcClient;
  readonly #context: GrantContext;
  readonly #validated: ExpiringCache<{ identity: Identity; until: number }>;
  readonly #inflight = new Map<string, Promise<{ identity: Identity; until: number }>>();

  constructor(store: TokenStore, sealer: Sealer, clock: () => number, oidc: OidcClient) {
    this.#store = store;
    this.#sealer = sealer;
    this.#clock = clock;
    this.#oidc = oidc;
    this.#context = { store, sealer, clock, oidc };
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
    const email = canonicalEmail(identity.email);
    const record: GrantRecord = {
      id,
      email,
      version: 1,
      expires_at: this.#seconds() + lifetime,
      data,
    };
    await serialized(this.#store, `account:${email}`, async () => {
      await this.#makeRoom(email);
      if (!(await this.#store.putGrant(record, 0)) && !(await this.#store.getGrant(id))) {
        throw new Error("the token store refused a new grant record");
      }
    });
    return id;
  }

  /**
   * Keeps an account under `MAX_GRANTS_PER_ACCOUNT` records, one being added:
   * its dead records go first, then its oldest logins that only a session
   * refers to (released as a logout would: revoked at the provider when
   * nothing else holds the login).
   */
  async #makeRoom(email: string): Promise<void> {
    const records = await this.#store.grantsOf(email);
    const excess = records.length + 1 - MAX_GRANTS_PER_ACCOUNT;
    if (excess <= 0) return;
    const rank = (r: GrantRecord) =>
      (r.data as GrantData).dead ? -1 : (r.data as GrantData).session_until;
    const spare = records
      .filter((r) => (r.data as GrantData).dead || (r.data as GrantData).tokens.length === 0)
      .sort((a, b) => rank(a) - rank(b))
      .slice(0, excess);
    for (const record of spare) {
      if ((record.data as GrantData).dead) await this.#drop(record.id);
      else await this.release(record.id, { session: true });
    }
  }

  /** Lets the store drop a dead record now. */
  #drop(id: string): Promise<GrantRecord | undefined> {
    return changeGrant(
      this.#store,
      id,
      (data) => (data.dead ? data : undefined),
      () => this.#seconds(),
    );
  }

  /** The grant when it is alive (not dead, not expired). */
  async live(id: string): Promise<GrantView | undefined> {
    const record = await this.#store.getGrant(id);
    if (!record || (record.data as GrantData).dead) return undefined;
    const secrets = await openSecrets(this.#sealer, record);
    return { id, email: record.email, hasRefreshToken: secrets?.rt !== undefined };
  }

  /** The live user tokens of `email` (ids, with their grant and its end, epoch seconds). */
  async tokensOf(email: string): Promise<{ id: string; grant: string; until: number }[]> {
    const grants = await this.#store.grantsOf(canonicalEmail(email));
    return grants.filter((r) => !(r.data as GrantData).dead).flatMap((r) =>
      (r.data as GrantData).tokens.map((id) => ({ id, grant: r.id, until: r.expires_at }))
    );
  }

  /** How many live tokens `email` holds from `/token`, over all its grants. */
  async tokenCount(email: string): Promise<number> {
    const grants = await this.#store.grantsOf(canonicalEmail(email));
    return grants.reduce(
      (n, r) => n + ((r.data as GrantData).dead ? 0 : (r.data as GrantData).tokens.length),
      0,
    );
  }

  /**
   * Adds a token id to a live grant of `email` and extends the grant's life to
   * the token's, unless the account holds `MAX_TOKENS_PER_ACCOUNT` tokens: the
   * count and the write are one step for the account within this process.
   * @returns "full" past the bound, "ended" when the grant is gone or dead.
   */
  addToken(
    id: string,
    email: string,
    tokenId: string,
    lifetime: number,
  ): Promise<"added" | "full" | "ended"> {
    return serialized(this.#store, `account:${canonicalEmail(email)}`, async () => {
      if (await this.tokenCount(email) >= MAX_TOKENS_PER_ACCOUNT) return "full";
      const until = this.#seconds() + lifetime;
      const record = await changeGrant(this.#store, id, (data) => {
        if (data.dead) return undefined;
        return { ...data, tokens: [...data.tokens, tokenId] };
      }, (expiresAt) => Math.max(expiresAt, until));
      const data = record?.data as GrantData | undefined;
      return data && !data.dead && data.tokens.includes(tokenId) ? "added" : "ended";
    });
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
      pending = refreshGrant(this.#context, id).then((answer) => {
        this.#validated.set(id, answer, answer.until);
        return answer;
      }).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  /**
   * Whether what a grant was made for (a session, a token made from a token
   * or a session) still holds, checked as user tokens are (same cadence, same
   * outage rules): `{ until }` (epoch ms) when the provider says so, "ended"
   * when the provider ended it, "unchecked" when there is nothing to ask (no
   * refresh token, a record let go or forgotten).
   * @throws {ProviderUnavailable} When the provider cannot be asked.
   */
  async check(id: string): Promise<{ until: number } | "ended" | "unchecked"> {
    const known = this.#validated.get(id);
    if (known) return { until: known.until };
    const record = await this.#store.getGrant(id);
    const data = record?.data as GrantData | undefined;
    if (data?.refused) return "ended";
    if (!record || data?.dead || !(await openSecrets(this.#sealer, record))?.rt) {
      return "unchecked";
    }
    try {
      return { until: (await this.validate(id)).until };
    } catch (error) {
      if (error instanceof GrantEnded || error instanceof TokenRefused) {
        const after = (await this.#store.getGrant(id))?.data as GrantData | undefined;
        return after?.refused || error instanceof TokenRefused ? "ended" : "unchecked";
      }
      throw error;
    }
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
    }, (expiresAt) => (ended ? this.#seconds() : expiresAt)); // nothing refers to it: dropped now
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
    for (const record of await this.#store.grantsOf(canonicalEmail(email))) {
      if ((record.data as GrantData).dead) continue;
      const after = await this.#kill(record.id);
      if (after) await this.#revokeAtProvider(after);
    }
  }

  /** The ID token of a grant, for `id_token_hint` at logout. */
  async idToken(id: string): Promise<string | undefined> {
    const record = await this.#store.getGrant(id);
    return record && (await openSecrets(this.#sealer, record))?.idt;
  }

  async #revokeAtProvider(record: GrantRecord): Promise<boolean> {
    this.#validated.delete(record.id);
    const rt = (await openSecrets(this.#sealer, record))?.rt;
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

  #seconds(): number {
    return Math.floor(this.#clock() / 1000);
  }
}
