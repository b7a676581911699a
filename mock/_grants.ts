// What the mock has handed out: authorization codes, refresh and access tokens.
import { base64url } from "jose";
import type { Identity } from "./_email.ts";

/** How long an authorization code can be redeemed (RFC 6749 §4.1.2 recommends ≤ 10 min). */
export const CODE_TTL_MS = 60_000;

/**
 * The most entries kept per kind. Refresh tokens never expire (as with Google),
 * so without this cap a long-running mock would grow without bound; the oldest
 * entries go first.
 */
export const MAX_ENTRIES = 10_000;

const SWEEP_INTERVAL_MS = 1000;

/** An authorization code's request, as the token endpoint must check it. */
export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  scope: string;
  identity: Identity;
  /** When the user authenticated, in epoch seconds (the ID token's `auth_time`). */
  authTime: number;
  /** Whether the code may be exchanged for a refresh token too. */
  offline: boolean;
  nonce?: string | undefined;
  codeChallenge?: string | undefined;
}

/** A refresh or access token's grant. */
export interface TokenGrant {
  clientId: string;
  scope: string;
  identity: Identity;
  /** When the user authenticated: refreshed ID tokens keep it (OpenID Connect Core §12.2). */
  authTime: number;
  /** Shared by every token born of one code, so that they can be revoked together. */
  grantId: string;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

interface CodeEntry extends Expiring<CodeGrant> {
  /** Set once the code was redeemed: the grant to revoke if it comes back. */
  redeemedAs?: string | undefined;
}

/** The outcome of {@link GrantStore.redeemCode}. */
export type Redeemed =
  | { ok: true; grant: CodeGrant; grantId: string }
  | { ok: false; reason: "unknown" | "expired" | "reused" };

/** An unguessable 32-byte base64url value: codes and tokens are never derived from anything. */
export function randomToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * The mock's memory. Secrets are looked up as `Map` keys; expired entries are
 * pruned when something new is issued.
 */
export class GrantStore {
  readonly #clock: () => number;
  readonly #codes = new Map<string, CodeEntry>();
  readonly #refresh = new Map<string, Expiring<TokenGrant>>();
  readonly #access = new Map<string, Expiring<TokenGrant>>();
  readonly #swept = new Map<Map<string, unknown>, number>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The number of live entries, for tests of the pruning. */
  get size(): { codes: number; refresh: number; access: number } {
    return { codes: this.#codes.size, refresh: this.#refresh.size, access: this.#access.size };
  }

  issueCode(grant: CodeGrant): string {
    return this.#put(this.#codes, { value: grant, expiresAt: this.#clock() + CODE_TTL_MS });
  }

  /**
   * Redeems a code once. A second redemption revokes every token the first one
   * produced (RFC 6749 §4.1.2): the code has leaked.
   */
  redeemCode(code: string): Redeemed {
    const entry = this.#codes.get(code);
    if (entry === undefined) return { ok: false, reason: "unknown" };
    if (entry.redeemedAs !== undefined) {
      this.revokeGrant(entry.redeemedAs);
      return { ok: false, reason: "reused" };
    }
    if (this.#clock() >= entry.expiresAt) {
      this.#codes.delete(code);
      return { ok: false, reason: "expired" };
    }
    entry.redeemedAs = randomToken();
    return { ok: true, grant: entry.value, grantId: entry.redeemedAs };
  }

  issueAccessToken(grant: TokenGrant, ttlMs: number): string {
    return this.#put(this.#access, { value: grant, expiresAt: this.#clock() + ttlMs });
  }

  issueRefreshToken(grant: TokenGrant): string {
    return this.#put(this.#refresh, { value: grant, expiresAt: Infinity });
  }

  /** A new refresh token for `grant` in place of `old`, which stops working. */
  rotateRefreshToken(old: string, grant: TokenGrant): string {
    this.#refresh.delete(old);
    return this.issueRefreshToken(grant);
  }

  accessToken(token: string): TokenGrant | undefined {
    return this.#live(this.#access, token);
  }

  refreshToken(token: string): TokenGrant | undefined {
    return this.#live(this.#refresh, token);
  }

  /**
   * Revokes `token`, whichever kind it is. Revoking a refresh token also revokes
   * the access tokens of its grant (RFC 7009 §2.1).
   */
  revoke(token: string): void {
    const refresh = this.#refresh.get(token);
    if (refresh !== undefined) this.revokeGrant(refresh.value.grantId);
    this.#access.delete(token);
  }

  /** The client a live refresh or access token was issued to. */
  ownerOf(token: string): string | undefined {
    return (this.refreshToken(token) ?? this.accessToken(token))?.clientId;
  }

  revokeGrant(grantId: string): void {
    for (const map of [this.#refresh, this.#access]) {
      for (const [token, entry] of map) if (entry.value.grantId === grantId) map.delete(token);
    }
  }

  #live(map: Map<string, Expiring<TokenGrant>>, token: string): TokenGrant | undefined {
    const entry = map.get(token);
    if (entry === undefined) return undefined;
    if (this.#clock() < entry.expiresAt) return entry.value;
    map.delete(token);
    return undefined;
  }

  #put<T extends Expiring<unknown>>(map: Map<string, T>, entry: T): string {
    this.#prune(map);
    const token = randomToken();
    map.set(token, entry);
    return token;
  }

  #prune<T extends Expiring<unknown>>(map: Map<string, T>): void {
    const now = this.#clock();
    // Sweeping is linear: at most once a second (of the clock) per map.
    if (Math.abs(now - (this.#swept.get(map) ?? -Infinity)) >= SWEEP_INTERVAL_MS) {
      this.#swept.set(map, now);
      for (const [key, entry] of map) if (now >= entry.expiresAt) map.delete(key);
    }
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const key of map.keys()) {
      if (map.size < MAX_ENTRIES) break;
      map.delete(key);
    }
  }
}
