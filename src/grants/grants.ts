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
import {
  changeGrant,
  type GrantData,
  type GrantView,
  loginOf,
  MAX_GRANTS_PER_ACCOUNT,
  MAX_TOKENS_PER_ACCOUNT,
  type Secrets,
  serialized,
  type Validated,
} from "./grant_data.ts";
import { type GrantContext, GrantEnded, openSecrets, refreshGrant } from "./_refresh.ts";
import type { LoginRef } from "./provider_logout.ts";
import {
  type GrantRefs,
  newRecord,
  othersLive,
  spareRecords,
  tokenCount,
  tokensOf,
} from "./_accounts.ts";
import { addToken, type Holder, keepMakers, listing, markMaker, takeOff } from "./_token_refs.ts";

export {
  GrantEnded,
  type GrantView,
  MAX_GRANTS_PER_ACCOUNT,
  MAX_TOKENS_PER_ACCOUNT,
  type Validated,
};

/** The grants of one manager. */
export class Grants {
  readonly #store: TokenStore;
  readonly #sealer: Sealer;
  readonly #clock: () => number;
  readonly #oidc: OidcClient;
  readonly #context: GrantContext;
  readonly #validated: ExpiringCache<Validated>;
  readonly #inflight = new Map<string, Promise<Validated>>();
  readonly #endedAtProvider: (login: LoginRef) => boolean;

  /**
   * @param endedAtProvider Whether a back-channel logout ended a plain login
   *   (asked of the revocations every replica shares).
   */
  constructor(
    store: TokenStore,
    sealer: Sealer,
    clock: () => number,
    oidc: OidcClient,
    endedAtProvider: (login: LoginRef) => boolean = () => false,
  ) {
    this.#endedAtProvider = endedAtProvider;
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
    refs: GrantRefs,
    lifetime: number,
    id: string = randomId(),
  ): Promise<string> {
    const sealed = await this.#sealer.seal("refresh_token", { gid: id, ...secrets });
    const record = newRecord(id, identity, sealed, refs, this.#seconds(), lifetime);
    const email = record.email;
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
    for (const record of await spareRecords(this.#store, email)) {
      if ((record.data as GrantData).dead) await this.#drop(record.id);
      else await this.release(record.id, { session: true });
    }
  }

  /** Lets the store drop a dead record now, its makers' ids revoked first. */
  #drop(id: string): Promise<GrantRecord | undefined> {
    return changeGrant(
      this.#store,
      id,
      async (data, record) => {
        if (!data.dead) return undefined;
        await keepMakers(this.#store, record);
        return data;
      },
      () => this.#seconds(),
    );
  }

  /**
   * Whether a back-channel logout ended the plain login `login` (see
   * `provider_logout.ts`); an offline login has no `LoginRef` and is never ended so.
   */
  ended(login: LoginRef): boolean {
    return this.#endedAtProvider(login);
  }

  /** Whether the record is over: dead, or a plain login a back-channel logout ended (then marked dead). */
  async #over(record: GrantRecord): Promise<boolean> {
    const data = record.data as GrantData;
    if (data.dead) return true;
    const login = loginOf(data);
    if (!login || !this.ended(login)) return false;
    await this.#kill(record.id);
    return true;
  }

  /** The grant when it is alive (not dead, not expired, not logged out at the provider). */
  async live(id: string): Promise<GrantView | undefined> {
    const record = await this.#store.getGrant(id);
    if (!record || await this.#over(record)) return undefined;
    const secrets = await openSecrets(this.#sealer, record);
    return {
      id,
      email: record.email,
      hasRefreshToken: secrets?.rt !== undefined,
      offline: (record.data as GrantData).offline === true,
    };
  }

  /** The live user tokens of `email` (ids, with their grant and its end, epoch seconds). */
  tokensOf(email: string): Promise<{ id: string; grant: string; until: number }[]> {
    return tokensOf(this.#store, email);
  }

  /** How many live tokens `email` holds from `/token`, over all its grants. */
  tokenCount(email: string): Promise<number> {
    return tokenCount(this.#store, email);
  }

  /**
   * Adds a token id to a live grant of `email` and extends the grant's life to
   * the token's, unless the account holds `MAX_TOKENS_PER_ACCOUNT` tokens.
   * @returns "full" past the bound, "ended" when the grant is gone or dead.
   */
  addToken(
    id: string,
    email: string,
    tokenId: string,
    lifetime: number,
  ): Promise<"added" | "full" | "ended"> {
    return addToken(this.#store, { id, email, tokenId, until: this.#seconds() + lifetime });
  }

  /**
   * Who holds the grant now, from a refresh at the provider, cached until the
   * provider's `expires_in` and coalesced: however many tokens refer to one
   * grant, one refresh runs at a time. A rotated refresh token replaces the
   * stored one; a refusal (`invalid_grant`) marks the grant dead, as does a
   * back-channel logout of a plain login.
   * @throws {GrantEnded} When the grant is gone, dead or logged out at the provider.
   * @throws {TokenRefused} When the provider refuses it now.
   * @throws {ProviderUnavailable} When the provider cannot be asked.
   */
  validate(id: string): Promise<Validated> {
    const known = this.#validated.get(id);
    if (known && !(known.login && this.ended(known.login))) return Promise.resolve(known);
    if (known) this.#validated.delete(id);
    let pending = this.#inflight.get(id);
    if (!pending) {
      pending = this.#check(id).then((answer) => {
        this.#validated.set(id, answer, answer.until);
        return answer;
      }).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  async #check(id: string): Promise<Validated> {
    const record = await this.#store.getGrant(id);
    if (!record || await this.#over(record)) throw new GrantEnded();
    const login = loginOf(record.data as GrantData);
    const answer = await refreshGrant(this.#context, id);
    return login ? { ...answer, login } : answer;
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

  /** Whether grant `id` lists `tokenId`, and is live (read from the store, never cached). */
  listing(id: string, tokenId: string): Promise<"live" | "dead" | "absent"> {
    return listing(this.#store, id, tokenId);
  }

  /**
   * Records that `tokenId`, a token of the grant, made a token; false (nothing
   * written) when the grant no longer holds it, as after its revocation.
   */
  markMaker(id: string, tokenId: string): Promise<boolean> {
    return markMaker(this.#store, id, tokenId);
  }

  /**
   * Takes a holder (a token id, or the session) off the grant; when nothing
   * refers to it any more, its refresh token is revoked at the provider
   * (RFC 7009) and the grant is dead. A token that made tokens has its id
   * revoked until `keepUntil` (epoch ms) first.
   * @returns Whether the provider confirmed a revocation.
   */
  async release(id: string, holder: Holder): Promise<boolean> {
    const { record, ended } = await takeOff(this.#store, id, holder, this.#clock());
    // Only the release that ended the grant revokes it (once) at the provider,
    // and only when the account has no other live login: providers may keep
    // one grant for several logins of a browser (oidc-provider does), and
    // revoking a refresh token revokes its whole grant there (RFC 7009 §2.1).
    if (!record || !ended || await othersLive(this.#store, record, this.#clock())) return false;
    return await this.#revokeAtProvider(record);
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
