/**
 * Revoked tokens and sessions: by id, and by account ("everything issued to
 * this account until now"). The per-request check is two `Map` lookups.
 *
 * @module
 */

/** What a revocation check needs to know of a token or session. */
export interface RevocationProbe {
  readonly email: string;
  readonly tokenId?: string;
  /** Seconds since the epoch. */
  readonly issuedAt?: number;
}

/** The revocation list of one manager. */
export class Revocations {
  /** token id → when the revoked token would have expired anyway (epoch ms). */
  readonly #ids = new Map<string, number>();
  /** account → tokens issued at or before this second are revoked. */
  readonly #accounts = new Map<string, number>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Whether the token or session is revoked. */
  isRevoked(probe: RevocationProbe): boolean {
    if (probe.tokenId !== undefined && this.#ids.has(probe.tokenId)) return true;
    const before = this.#accounts.get(probe.email);
    return before !== undefined && (probe.issuedAt ?? 0) <= before;
  }

  /** Revokes one token or session, remembered until `expiresAt` (epoch ms). */
  revokeId(tokenId: string, expiresAt: number): void {
    this.#prune();
    this.#ids.set(tokenId, expiresAt);
  }

  /** Revokes everything issued to `email` until now. */
  revokeAccount(email: string): void {
    this.#accounts.set(email, Math.floor(this.#clock() / 1000));
  }

  #prune(): void {
    const now = this.#clock();
    for (const [id, until] of this.#ids) if (until <= now) this.#ids.delete(id);
  }
}
