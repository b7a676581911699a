// Paging through an audit trail: the page size, the cursor (an opaque point
// in the trail's order: time, then sequence) and the query's filters, shared
// by every built-in log so that they page alike.
import type { AuditQuery, AuditRecord } from "./audit_entry.ts";

/** The most entries a page may hold. */
export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 50;

/** The page size of `query`, checked. */
export function pageSize(query: AuditQuery): number {
  const limit = query.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new TypeError(`"limit" must be a whole number from 1 to ${MAX_PAGE}`);
  }
  return limit;
}

/** Where a page starts: below this entry, in the trail's order (time, then `seq`). */
export interface CursorPoint {
  at: number;
  seq: number;
}

const CURSOR = /^([0-9]{1,15})\.([0-9]{1,15})$/;

/** Whether `text` has the shape of a cursor of this trail. */
export function isCursor(text: string): boolean {
  return CURSOR.test(text);
}

/** The point below which a page starts (`undefined` for the first page). */
export function parseCursor(cursor: string | undefined): CursorPoint | undefined {
  if (cursor === undefined) return undefined;
  const match = CURSOR.exec(cursor);
  if (match === null) throw new TypeError('"cursor" is not a cursor of this trail');
  return { at: Number(match[1]), seq: Number(match[2]) };
}

/** The cursor of the page after `entry`. */
export function cursorAfter(entry: CursorPoint): string {
  return `${entry.at}.${entry.seq}`;
}

/** Whether `a` comes before `b` in the trail's order: by time, then by `seq`. */
export function earlier(a: CursorPoint, b: CursorPoint): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Whether `entry` matches the query's filters (not its cursor or limit). */
export function matches(entry: AuditRecord, query: AuditQuery): boolean {
  if (query.account !== undefined && entry.account !== query.account) return false;
  if (query.actor !== undefined && entry.actor.email !== query.actor) return false;
  if (query.kinds !== undefined && !query.kinds.includes(entry.kind)) return false;
  if (query.since !== undefined && entry.at < query.since) return false;
  if (query.until !== undefined && entry.at >= query.until) return false;
  return true;
}
