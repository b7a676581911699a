// The pairings of headless logins: a command-line tool starts one, a person
// completes it in a browser, the tool redeems the token once. Kept in memory:
// a pairing lives five minutes, and an app behind a load balancer needs sticky
// sessions for it (the same holds for the provider's login round trip).
// Nothing is ever evicted early (a completed pairing holds a token that counts
// against its account): past the bounds, new starts are refused instead.
import { timingSafeEqual } from "../crypto/compare.ts";
import { randomId } from "../crypto/seal.ts";

/** How long a pairing lives, in seconds. */
export const HEADLESS_TTL = 300;
/** Live pairings at most: past it, new starts are refused (a bound on memory). */
export const MAX_PAIRINGS = 10_000;
/** Live pairings at most per client address (IPv6: per /64). */
export const MAX_PAIRINGS_PER_ADDRESS = 20;

/** Where a pairing stands. */
export type PairingStatus = "new" | "opened" | "confirmed" | "done" | "failed";

/** Who started a pairing, as the confirmation page shows it. */
export interface Requester {
  /** The client's address, when known. */
  address?: string;
  /** The tool's `User-Agent`, cut short. */
  userAgent?: string;
}

/** A start refused: too many live pairings, from this address or overall. */
export interface TooManyPairings {
  /** Seconds until the oldest pairing in the way expires. */
  retryAfter: number;
  scope: "address" | "all";
}

/** One headless login. Secrets are compared in constant time and used once. */
export interface Pairing {
  /** Public: in `token_url` and in the login state. Not a credential. */
  readonly id: string;
  /** Held by the tool only, in a cookie: redeems the token. */
  readonly pollKey: string;
  /** In `login_url`: opens the confirmation page, once. */
  readonly loginCode: string;
  /** Shown by the tool and on the confirmation page, so the person can tell it is theirs. */
  readonly userCode: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** When it was started (epoch milliseconds) and by whom. */
  readonly startedAt: number;
  readonly requester: Requester;
  status: PairingStatus;
  /** The one-time secret of the confirmation form, once the page was opened. */
  confirmKey?: string | undefined;
  /** The token, once a person logged in. */
  token?: string | undefined;
  /** Who logged in, shown to the tool so that the person at the terminal can check it. */
  email?: string | undefined;
  /** Why it failed, once it did. */
  error?: { code: string; detail: string } | undefined;
}

/** The pairings of one route group. */
export class HeadlessLogins {
  readonly #pairings = new Map<string, Pairing & { bucket?: string }>();
  /** How many live pairings each address bucket holds. */
  readonly #perBucket = new Map<string, number>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /**
   * A new pairing, valid for {@link HEADLESS_TTL} seconds; refused (never
   * evicting another) when the address or everyone holds too many live ones.
   */
  create(requester: Requester = {}): Pairing | TooManyPairings {
    this.#purge();
    const now = this.#clock();
    const bucket = requester.address === undefined ? undefined : addressBucket(requester.address);
    // Map order is insertion order: the first are the oldest.
    const oldest = this.#pairings.values().next().value;
    if (this.#pairings.size >= MAX_PAIRINGS && oldest) {
      return { retryAfter: secondsUntil(oldest.expiresAt, now), scope: "all" };
    }
    if (bucket !== undefined) {
      if ((this.#perBucket.get(bucket) ?? 0) >= MAX_PAIRINGS_PER_ADDRESS) {
        // Rare (a refusal): the oldest of the address, found by a scan.
        const first = [...this.#pairings.values()].find((p) => p.bucket === bucket)!;
        return { retryAfter: secondsUntil(first.expiresAt, now), scope: "address" };
      }
    }
    const pairing: Pairing & { bucket?: string } = {
      id: randomId(),
      pollKey: randomId() + randomId(),
      loginCode: randomId() + randomId(),
      userCode: userCode(),
      expiresAt: now + HEADLESS_TTL * 1000,
      startedAt: now,
      requester,
      status: "new",
      ...(bucket === undefined ? {} : { bucket }),
    };
    this.#pairings.set(pairing.id, pairing);
    if (bucket !== undefined) this.#perBucket.set(bucket, (this.#perBucket.get(bucket) ?? 0) + 1);
    return pairing;
  }

  /** The live pairing `id` names, if any. */
  get(id: string | undefined): Pairing | undefined {
    const pairing = id === undefined ? undefined : this.#pairings.get(id);
    if (pairing && pairing.expiresAt <= this.#clock()) {
      this.#remove(pairing.id);
      return undefined;
    }
    return pairing;
  }

  /** The pairing whose login code this is, moved to "opened" with a fresh confirm key: once. */
  open(id: string | undefined, loginCode: string | undefined): Pairing | undefined {
    const pairing = this.get(id);
    if (!pairing || pairing.status !== "new" || !loginCode) return undefined;
    if (!timingSafeEqual(pairing.loginCode, loginCode)) return undefined;
    pairing.status = "opened";
    pairing.confirmKey = randomId() + randomId();
    return pairing;
  }

  /** The opened pairing whose confirm key this is, moved to "confirmed": once. */
  confirm(id: string | undefined, confirmKey: string | undefined): Pairing | undefined {
    const pairing = this.get(id);
    if (!pairing || pairing.status !== "opened" || !confirmKey || !pairing.confirmKey) {
      return undefined;
    }
    if (!timingSafeEqual(pairing.confirmKey, confirmKey)) return undefined;
    pairing.status = "confirmed";
    pairing.confirmKey = undefined;
    return pairing;
  }

  /** Hands the token to a confirmed pairing. Returns whether it was still waiting. */
  complete(id: string, token: string, email: string): boolean {
    const pairing = this.get(id);
    if (!pairing || pairing.status !== "confirmed") return false;
    pairing.status = "done";
    pairing.token = token;
    pairing.email = email;
    return true;
  }

  /** Marks a confirmed pairing as failed, so the tool stops waiting. */
  fail(id: string, code: string, detail: string): void {
    const pairing = this.get(id);
    if (pairing && pairing.status === "confirmed") {
      pairing.status = "failed";
      pairing.error = { code, detail };
    }
  }

  /**
   * Cancels an opened pairing whose confirm key this is (the page's Cancel):
   * nothing can confirm it any more, and the tool is told `access_denied`.
   */
  cancel(id: string | undefined, confirmKey: string | undefined): Pairing | undefined {
    const pairing = this.get(id);
    if (!pairing || pairing.status !== "opened" || !confirmKey || !pairing.confirmKey) {
      return undefined;
    }
    if (!timingSafeEqual(pairing.confirmKey, confirmKey)) return undefined;
    pairing.status = "failed";
    pairing.confirmKey = undefined;
    pairing.error = {
      code: "access_denied",
      detail: "The person at the browser cancelled this login.",
    };
    return pairing;
  }

  /** Whether `pollKey` is this pairing's. */
  holds(pairing: Pairing, pollKey: string | undefined): boolean {
    return pollKey !== undefined && timingSafeEqual(pairing.pollKey, pollKey);
  }

  /** Forgets a pairing (after its token or its failure was handed over). */
  delete(id: string): void {
    this.#remove(id);
  }

  #remove(id: string): void {
    const bucket = this.#pairings.get(id)?.bucket;
    if (!this.#pairings.delete(id) || bucket === undefined) return;
    const left = (this.#perBucket.get(bucket) ?? 1) - 1;
    if (left > 0) this.#perBucket.set(bucket, left);
    else this.#perBucket.delete(bucket);
  }

  #purge(): void {
    const now = this.#clock();
    // Oldest first: the first one still alive ends the purge.
    for (const [id, pairing] of this.#pairings) {
      if (pairing.expiresAt > now) break;
      this.#remove(id);
    }
  }
}

function secondsUntil(time: number, now: number): number {
  return Math.max(1, Math.ceil((time - now) / 1000));
}

/**
 * The bucket an address counts in: an IPv4 address (also IPv4-mapped) as it
 * is, an IPv6 address by its /64, which one subscriber usually holds whole.
 */
export function addressBucket(address: string): string {
  const mapped = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address.toLowerCase();
  const [head, tail = ""] = address.replace(/^\[|\]$/g, "").split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, "")).join(":") + "::/64";
}

/** Eight letters without look-alikes, as `XXXX-XXXX` (RFC 8628 §6.1). */
function userCode(): string {
  const alphabet = "BCDFGHJKLMNPQRSTVWXZ";
  // 2^32 is no multiple of 20, but the bias is below one in 200 million.
  const words = crypto.getRandomValues(new Uint32Array(8));
  const letters = [...words].map((w) => alphabet[w % alphabet.length]).join("");
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
