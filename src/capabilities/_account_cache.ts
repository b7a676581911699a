// The per-account cache of `CapabilitySet.effective`, emptied whenever the
// store's version moves so that it never answers from a stale read.

/** Bounds the per-account cache, which is keyed by whoever authenticates. */
const MAX_CACHED_ACCOUNTS = 10_000;

export class AccountCache {
  readonly #sets = new Map<string, ReadonlySet<string>>();
  #version = NaN;

  /** The set cached for `email` at store `version`; `make` computes it when missing. */
  get(version: number, email: string, make: () => ReadonlySet<string>): ReadonlySet<string> {
    if (version !== this.#version) {
      this.#sets.clear();
      this.#version = version;
    }
    let held = this.#sets.get(email);
    if (held === undefined) {
      held = make();
      if (this.#sets.size >= MAX_CACHED_ACCOUNTS) this.#sets.clear();
      this.#sets.set(email, held);
    }
    return held;
  }
}
