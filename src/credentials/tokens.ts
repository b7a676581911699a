/**
 * Bearer tokens: issuing the sealed user token of `/token`, and resolving any
 * bearer token to its caller, with a bounded cache so that a token already
 * seen costs no Web Crypto call and no provider call until it must be
 * re-checked, and with concurrent first uses of one token coalesced.
 *
 * @module
 */
import { ExpiringCache } from "../_cache.ts";
import { canonicalEmail } from "../_email.ts";
import type { OAuthUser } from "../env.ts";
import type { Grants } from "../grants/grants.ts";
import type { Revocations } from "./revocations.ts";
import { LONGEST_ANSWER } from "../oidc/client.ts";
import { type SealedClaims, Sealer, type SealPurpose } from "../crypto/seal.ts";

/** Times a token is opened again when what was read to open it changed meanwhile. */
const OPEN_AGAIN = 2;

/** Lifetime of a user token, in seconds (the provider may end it sooner). */
export const USER_TOKEN_TTL = 365 * 24 * 3600;

/** A bearer token that does not open, is revoked or expired: a 401. */
export class InvalidToken extends Error {
  constructor(message = "The token is invalid, expired or revoked.") {
    super(message);
    this.name = "InvalidToken";
  }
}

/** What a sealed user token holds: who, and the grant it refers to. */
interface UserTokenClaims extends Record<string, unknown> {
  email: string;
  sub: string;
  iss: string;
  name?: string | undefined;
  gid: string;
}

/** Tokens issued before grants existed held the provider's refresh token themselves. */
interface LegacyUserTokenClaims {
  email: string;
  sub: string;
  iss: string;
  rt: string;
}

/** The grant id under which a token or session of the old format is migrated. */
export function legacyGrantId(id: string): string {
  return `legacy-${id}`.slice(0, 128);
}

/**
 * Opens a token of one purpose and tells who holds it (or throws), until
 * when, and, for a token whose login the provider may end at any time (a
 * back-channel logout), whether it still stands; `fresh` tells when what was
 * read to open it may have changed since (the token is then opened again).
 */
export type TokenOpener = (claims: SealedClaims & Record<string, unknown>) => Promise<
  { user: OAuthUser; until: number; stands?: () => boolean; fresh?: () => boolean }
>;

/** Resolves bearer tokens to callers. */
export class BearerTokens {
  readonly #sealer: Sealer;
  readonly #clock: () => number;
  readonly #revocations: Revocations;
  readonly #openers = new Map<SealPurpose, TokenOpener>();
  readonly #cache: ExpiringCache<OAuthUser>;
  readonly #inflight = new Map<string, Promise<OAuthUser>>();
  /** The cached callers whose login a back-channel logout may end, and how to ask. */
  readonly #stands = new WeakMap<OAuthUser, () => boolean>();
  /** The cached callers whose answer goes stale when their grant changes, and how to ask. */
  readonly #fresh = new WeakMap<OAuthUser, () => boolean>();

  constructor(sealer: Sealer, clock: () => number, revocations: Revocations) {
    this.#sealer = sealer;
    this.#clock = clock;
    this.#revocations = revocations;
    this.#cache = new ExpiringCache(10_000, clock);
  }

  /** Teaches the resolver a kind of token. */
  register(purpose: SealPurpose, opener: TokenOpener): void {
    this.#openers.set(purpose, opener);
  }

  /**
   * Registers user tokens, which are validated through their grant: one
   * refresh at the provider per grant, however many tokens refer to it.
   */
  registerUserTokens(grants: Grants): void {
    const revocations = this.#revocations;
    this.register("user_token", async (claims) => {
      const { email, iss, sub, jti } = claims as SealedClaims & UserTokenClaims;
      if (typeof email !== "string" || typeof iss !== "string" || typeof sub !== "string") {
        throw new InvalidToken();
      }
      // Noted before the grant is read: a later mark of the grant makes the cached answer stale.
      const since = revocations.marks.generation;
      const gid = await grantOf(grants, claims, this.#clock);
      const { identity, until, login } = await grants.validate(gid);
      if (identity.iss !== iss || identity.sub !== sub) throw new InvalidToken();
      // A revoked token is taken off its grant: the record, not an entry kept a year, refuses it.
      if ((await grants.listing(gid, jti)) !== "live") throw new InvalidToken();
      const user: OAuthUser = {
        ...identity,
        email: canonicalEmail(identity.email),
        kind: "user",
        tokenId: jti,
      };
      return {
        user,
        // Never cached longer than a grant's mark is kept, nor past a young mark's minute.
        until: Math.min(
          until,
          this.#clock() + LONGEST_ANSWER * 1000,
          revocations.marks.cacheLimit(gid),
        ),
        ...(login ? { stands: () => !grants.ended(login) } : {}),
        fresh: () => revocations.marks.unchangedSince(gid, since),
      };
    });
  }

  /**
   * Seals a user token that refers to grant `gid`, under its own id `jti`
   * (never the session's: revoking one token or logging out touches no other),
   * for `ttl` seconds.
   */
  issueUserToken(
    identity: { email: string; sub: string; iss: string; name?: string | undefined },
    gid: string,
    jti: string,
    ttl: number = USER_TOKEN_TTL,
  ): Promise<string> {
    const claims: UserTokenClaims = {
      email: identity.email,
      sub: identity.sub,
      iss: identity.iss,
      ...(identity.name ? { name: identity.name } : {}),
      gid,
      jti,
    };
    return this.#sealer.seal("user_token", claims, { ttl });
  }

  /**
   * The caller holding `token` when it was seen before and is still good,
   * without a single await (the per-request fast path); `undefined` when
   * {@link resolve} must decide.
   */
  peek(token: string): OAuthUser | undefined {
    const cached = this.#cache.get(token);
    return cached && this.#good(cached) && this.#isFresh(cached) ? cached : undefined;
  }

  /** Whether what was read to open a cached caller still holds (else it is opened again). */
  #isFresh(user: OAuthUser): boolean {
    return this.#fresh.get(user)?.() ?? true;
  }

  /** Whether a cached caller is neither revoked nor logged out at the provider. */
  #good(user: OAuthUser): boolean {
    return !this.#revocations.isRevoked(user) && (this.#stands.get(user)?.() ?? true);
  }

  /**
   * The caller holding `token`.
   * @throws {InvalidToken} When it does not open, is revoked or expired.
   * @throws {TokenRefused} When the provider refuses it.
   * @throws {ProviderUnavailable} When the provider cannot be asked.
   */
  async resolve(token: string): Promise<OAuthUser> {
    const cached = this.#cache.get(token);
    if (cached) {
      if (!this.#good(cached)) throw new InvalidToken();
      if (this.#isFresh(cached)) return cached;
      this.#cache.delete(token);
    }
    let pending = this.#inflight.get(token);
    if (!pending) {
      pending = this.#open(token).finally(() => this.#inflight.delete(token));
      this.#inflight.set(token, pending);
    }
    return await pending;
  }

  /** Forgets cached answers for an account (after a revocation). */
  forget(predicate: (user: OAuthUser) => boolean): void {
    this.#cache.deleteWhere(predicate);
  }

  async #open(token: string): Promise<OAuthUser> {
    const purpose = Sealer.purposeOf(token);
    const opener = purpose && this.#openers.get(purpose);
    if (!purpose || !opener) throw new InvalidToken();
    const claims = await this.#sealer.open(purpose, token);
    if (!claims) throw new InvalidToken();
    const probe = { email: String(claims.email ?? ""), tokenId: claims.jti, issuedAt: claims.iat };
    if (this.#revocations.isRevoked(probe)) throw new InvalidToken();
    let opened = await opener(claims);
    // What it read changed meanwhile (its grant was marked): read again, for
    // the requests that joined this one may have been sent after a revocation.
    for (let again = 0; again < OPEN_AGAIN && opened.fresh?.() === false; again++) {
      opened = await opener(claims);
    }
    const { user, until, stands, fresh } = opened;
    const tokenEnd = claims.exp === undefined ? Infinity : claims.exp * 1000;
    const entry: OAuthUser = { ...user, issuedAt: claims.iat, expiresAt: claims.exp };
    if (stands) this.#stands.set(entry, stands);
    if (fresh) this.#fresh.set(entry, fresh);
    // Still changing (revocations of its grant under way): answered, not cached.
    if (fresh?.() !== false) this.#cache.set(token, entry, Math.min(until, tokenEnd));
    if (this.#revocations.isRevoked(entry)) throw new InvalidToken();
    return entry;
  }
}

/** The grant a user token refers to; a token of the old format gets one made from its refresh token. */
async function grantOf(
  grants: Grants,
  claims: SealedClaims & Record<string, unknown>,
  clock: () => number,
): Promise<string> {
  if (typeof claims.gid === "string") return claims.gid;
  const { rt, email, sub, iss } = claims as SealedClaims & LegacyUserTokenClaims;
  if (typeof rt !== "string") throw new InvalidToken();
  const gid = legacyGrantId(claims.jti);
  if (await grants.live(gid)) return gid;
  const lifetime = (claims.exp ?? 0) - Math.floor(clock() / 1000);
  if (lifetime <= 0) throw new InvalidToken();
  return await grants.create(
    { email, sub, iss },
    { rt },
    {
      sessionUntil: 0,
      tokens: [claims.jti],
      // Minted at /token: an offline login's, which a back-channel logout leaves.
      offline: true,
    },
    lifetime,
    gid,
  );
}
