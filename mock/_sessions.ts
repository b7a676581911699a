// The mock's single sign-on session: when each user last authenticated, so
// that `auth_time` means something and `max_age` or `prompt=login` can ask for
// a fresh authentication (OpenID Connect Core §3.1.2.1).
import { MAX_ENTRIES } from "./_grants.ts";

/** What an authorization request says about how recent the authentication must be. */
export interface Freshness {
  /** `max_age`, in seconds, if sent. */
  maxAge?: number | undefined;
  /** Whether `prompt` has `login` (authenticate again, whatever the session's age). */
  forceLogin: boolean;
}

/**
 * When each user authenticated, by email. The mock authenticates without
 * asking, so "authenticating again" only moves that time to now.
 */
export class LoginSessions {
  readonly #clock: () => number;
  readonly #authTimes = new Map<string, number>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /**
   * Logs `email` in and returns the `auth_time` (epoch seconds): the session's,
   * unless there is none, it is older than `maxAge`, or a login is forced.
   */
  authenticate(email: string, freshness: Freshness): number {
    const now = Math.floor(this.#clock() / 1000);
    const since = this.#authTimes.get(email);
    const { maxAge, forceLogin } = freshness;
    if (since !== undefined && !forceLogin && (maxAge === undefined || now - since <= maxAge)) {
      return since;
    }
    this.#authTimes.delete(email);
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const key of this.#authTimes.keys()) {
      if (this.#authTimes.size < MAX_ENTRIES) break;
      this.#authTimes.delete(key);
    }
    this.#authTimes.set(email, now);
    return now;
  }
}
