// The marks of grants whose tokens changed, as one view of the revocations
// applied them: what a process read of a grant before a later mark (or
// before its view was replaced) is read again, and what it read just after a
// mark is cached a minute at most.
import { LONGEST_ANSWER } from "../oidc/client.ts";

/** What begins a mark's id: no token or session id holds a ":". */
const MARK = "grant:";

/** A mark's id in the store: a `revoke_id` row no token or session can have. */
export function markId(gid: string): string {
  return `${MARK}${gid}`;
}

/**
 * How long a grant's mark is kept (ms): past the longest any replica caches
 * what it read of the grant (a provider's answer is relied upon a day at
 * most), with an hour for the clocks of replicas that disagree.
 */
export const MARK_KEPT = (LONGEST_ANSWER + 3600) * 1000;

/**
 * Milliseconds (of the app's clock) after this view applied a grant's mark
 * during which what is read of the grant is cached no longer than that: a
 * revocation marks the grant before and after changing its record, and if
 * it dies in between, what a replica read in between lapses on its own.
 */
const YOUNG_MARK = 60_000;

/** The marks one view applied, by grant. */
export class GrantMarks {
  readonly #clock: () => number;
  /** Per grant, the catch-up that applied its last mark, when (app's clock), and until when it is kept. */
  readonly #marks = new Map<string, { at: number; appliedAt: number; until: number }>();
  #generation = 0;
  /** The catch-up that last replaced the whole view. */
  #resetAt = 0;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /**
   * A number that grows with every catch-up of the view (unlike the store's
   * revision, which a restored backup may take back): noted before a token's
   * grant is read, to ask {@link unchangedSince} of what was read.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Starts a catch-up (`reset`: one that replaces the whole view); its number. */
  next(reset: boolean): number {
    this.#generation++;
    if (reset) {
      this.#marks.clear();
      this.#resetAt = this.#generation;
    }
    return this.#generation;
  }

  /** Applies a `revoke_id` change read in catch-up `generation`; false when it is not a mark. */
  apply(id: string, until: number, generation: number): boolean {
    if (!id.startsWith(MARK)) return false;
    this.#marks.set(id.slice(MARK.length), { at: generation, appliedAt: this.#clock(), until });
    return true;
  }

  /** Drops the marks kept no longer at `now` (epoch ms). */
  sweep(now: number): void {
    for (const [gid, mark] of this.#marks) if (mark.until <= now) this.#marks.delete(gid);
  }

  /**
   * Whether what was read of grant `gid` when the view was at `generation`
   * still holds: no mark of the grant and no reload of the view came after.
   */
  unchangedSince(gid: string, generation: number): boolean {
    const at = this.#marks.get(gid)?.at;
    return generation >= this.#resetAt && (at === undefined || at <= generation);
  }

  /**
   * Until when (epoch ms) what is read now of grant `gid` may be cached: a
   * minute after this view applied a mark of it, while the change it
   * announced may be under way; else no limit.
   */
  cacheLimit(gid: string): number {
    const applied = this.#marks.get(gid)?.appliedAt;
    return applied !== undefined && this.#clock() < applied + YOUNG_MARK
      ? applied + YOUNG_MARK
      : Infinity;
  }
}
