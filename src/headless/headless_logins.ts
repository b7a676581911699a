// The pairings of headless logins: a command-line tool starts one, a person
// completes it in a browser, the tool redeems the token once. Kept in memory:
// a pairing lives five minutes, and an app behind a load balancer needs sticky
// sessions for it (the same holds for the provider's login round trip).
import { timingSafeEqual } from "../crypto/compare.ts";
import { randomId } from "../crypto/seal.ts";

/** How long a pairing lives, in seconds. */
export const HEADLESS_TTL = 300;
/** More pending pairings than this and the oldest are dropped (a bound on memory). */
const MAX_PAIRINGS = 10_000;

/** Where a pairing stands. */
export type PairingStatus = "new" | "opened" | "confirmed" | "done" | "failed";

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
  readonly #pairings = new Map<string, Pairing>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** A new pairing, valid for {@link HEADLESS_TTL} seconds. */
  create(): Pairing {
    this.#purge();
    const pairing: Pairing = {
      id: randomId(),
      pollKey: randomId() + randomId(),
      loginCode: randomId() + randomId(),
      userCode: userCode(),
      expiresAt: this.#clock() + HEADLESS_TTL * 1000,
      status: "new",
    };
    this.#pairings.set(pairing.id, pairing);
    return pairing;
  }

  /** The live pairing `id` names, if any. */
  get(id: string | undefined): Pairing | undefined {
    const pairing = id === undefined ? undefined : this.#pairings.get(id);
    if (pairing && pairing.expiresAt <= this.#clock()) {
      this.#pairings.delete(pairing.id);
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

  /** Whether `pollKey` is this pairing's. */
  holds(pairing: Pairing, pollKey: string | undefined): boolean {
    return pollKey !== undefined && timingSafeEqual(pairing.pollKey, pollKey);
  }

  /** Forgets a pairing (after its token or its failure was handed over). */
  delete(id: string): void {
    this.#pairings.delete(id);
  }

  #purge(): void {
    const now = this.#clock();
    for (const [id, pairing] of this.#pairings) {
      if (pairing.expiresAt <= now) this.#pairings.delete(id);
    }
    // Map order is insertion order: the first are the oldest.
    for (const id of this.#pairings.keys()) {
      if (this.#pairings.size < MAX_PAIRINGS) break;
      this.#pairings.delete(id);
    }
  }
}

/** Eight letters without look-alikes, as `XXXX-XXXX` (RFC 8628 §6.1). */
function userCode(): string {
  const alphabet = "BCDFGHJKLMNPQRSTVWXZ";
  // 2^32 is no multiple of 20, but the bias is below one in 200 million.
  const words = crypto.getRandomValues(new Uint32Array(8));
  const letters = [...words].map((w) => alphabet[w % alphabet.length]).join("");
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
