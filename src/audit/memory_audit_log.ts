/**
 * An `AuditLog` in memory: for tests and single-process apps that do not need
 * the trail to survive a restart.
 *
 * @module
 */
import {
  type AuditEntry,
  type AuditLog,
  type AuditLogOptions,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  checkLogOptions,
} from "./audit_entry.ts";
import {
  cursorAfter,
  type CursorPoint,
  earlier,
  matches,
  pageSize,
  parseCursor,
} from "./paging.ts";

/**
 * An audit trail in memory, kept in time order; entries past the retention
 * are dropped as new ones come.
 *
 * @example
 * ```ts
 * import { MemoryAuditLog } from "@easy-oauth/hono";
 * const log = new MemoryAuditLog({ retention: 30 * 24 * 3600 * 1000 });
 * await log.append({
 *   at: Date.now(), kind: "account_revoked", account: "bob@example.com", via: "api",
 *   actor: { email: "ann@example.com", credential: "session" },
 * });
 * (await log.query({ account: "bob@example.com" })).entries.length; // 1
 * ```
 */
export class MemoryAuditLog implements AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #retention: number;
  readonly #clock: () => number;
  #seq = 0;

  /**
   * Checks the options.
   *
   * @param options See `AuditLogOptions`.
   * @throws {TypeError} On a bad option, naming it.
   */
  constructor(options: AuditLogOptions = {}) {
    ({ retention: this.#retention, clock: this.#clock } = checkLogOptions(options));
  }

  /** Appends a copy of `record`; returns it with its `seq`. */
  append(record: AuditRecord): Promise<AuditEntry> {
    const entry = { ...structuredClone(record), seq: ++this.#seq };
    // Almost always at the end: only an entry timed before the last one moves in.
    this.#entries.splice(this.#below({ at: entry.at, seq: Infinity }) + 1, 0, entry);
    const oldest = this.#clock() - this.#retention;
    let drop = 0;
    while (drop < this.#entries.length && this.#entries[drop]!.at < oldest) drop++;
    if (drop > 0) this.#entries.splice(0, drop);
    return Promise.resolve(structuredClone(entry));
  }

  /** The entries that match, newest first. */
  query(query: AuditQuery): Promise<AuditPage> {
    try {
      const limit = pageSize(query);
      const start = parseCursor(query.cursor);
      const oldest = this.#clock() - this.#retention;
      const entries: AuditEntry[] = [];
      let i = start === undefined ? this.#entries.length - 1 : this.#below(start);
      for (; i >= 0 && entries.length <= limit; i--) {
        const entry = this.#entries[i]!;
        if (entry.at >= oldest && matches(entry, query)) entries.push(entry);
      }
      const more = entries.length > limit;
      if (more) entries.pop();
      const page: AuditPage = { entries: structuredClone(entries) };
      if (more) page.next = cursorAfter(entries[entries.length - 1]!);
      return Promise.resolve(page);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The index of the last entry before `point` (a binary search: entries are in order). */
  #below(point: CursorPoint): number {
    let lo = 0, hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (earlier(this.#entries[mid]!, point)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
