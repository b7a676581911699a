// GET /manage_capabilities/history: the audit trail for user managers, as
// JSON pages or JSON Lines (for a SIEM). The delegation limit applies to
// reading: a caller sees only entries about accounts whose capabilities it
// holds.
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { errorResponse, NO_STORE } from "../http/http.ts";
import type { OAuthEnv, OAuthUser } from "../env.ts";
import {
  AUDIT_KINDS,
  type AuditEntry,
  type AuditKind,
  type AuditQuery,
  toJsonLines,
} from "../audit/audit_entry.ts";
import { isCursor, MAX_PAGE } from "../audit/paging.ts";
import { accountHolds, actingRefusal } from "./_delegation.ts";
import { authenticated, needManagement } from "./_guards.ts";

/** How many pages of the trail one request reads at most while skipping entries the caller may not see. */
const MAX_SCAN = 20;

/** Adds `GET /manage_capabilities/history` (under the prefix). */
export function historyRoutes(core: Core, app: Hono<OAuthEnv>): void {
  app.get("/manage_capabilities/history", async (c) => {
    const caller = await authenticated(core, c);
    if (caller instanceof Response) return caller;
    const refused = await needManagement(core, caller);
    if (refused) return refused;
    const query = historyQuery(c);
    if (query instanceof Response) return query;
    if (query.account !== undefined) {
      const beyond = await actingRefusal(
        core,
        caller.user,
        `Reading the history of ${query.account}`,
        await accountHolds(core, query.account),
      );
      if (beyond) return beyond;
    }
    await core.audit.notice();
    const page = await visibleHistory(core, caller.user, query);
    if (c.req.query("format") === "jsonl") {
      const headers: Record<string, string> = {
        ...NO_STORE,
        "Content-Type": "application/jsonl; charset=utf-8",
      };
      if (page.next !== undefined) {
        const next = new URL(c.req.url);
        next.searchParams.set("cursor", page.next);
        headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      return c.body(toJsonLines(page.entries), 200, headers);
    }
    return c.json({ status: "ok", ...page }, 200, NO_STORE);
  });
}

/**
 * A page of the trail as `user` may see it: entries about accounts whose
 * capabilities `user` holds now. Entries it may not see are skipped, reading
 * on (at most `MAX_SCAN` pages of the trail, then a shorter page and a cursor).
 */
export async function visibleHistory(
  core: Core,
  user: OAuthUser,
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; next?: string }> {
  const held = await core.held(user);
  const limit = query.limit ?? 50;
  const seen = new Map<string, boolean>();
  const visible = async (account: string) => {
    let ok = seen.get(account);
    if (ok === undefined) {
      ok = [...await accountHolds(core, account)].every((name) => held.has(name));
      seen.set(account, ok);
    }
    return ok;
  };
  const entries: AuditEntry[] = [];
  let cursor = query.cursor;
  for (let scan = 0; scan < MAX_SCAN; scan++) {
    const page = await core.audit.log.query({ ...query, cursor, limit: limit - entries.length });
    for (const entry of page.entries) if (await visible(entry.account)) entries.push(entry);
    cursor = page.next;
    if (cursor === undefined || entries.length >= limit) break;
  }
  return cursor === undefined ? { entries } : { entries, next: cursor };
}

/** The query of a history request, or a 400 naming the bad parameter. */
export function historyQuery(c: Context): AuditQuery | Response {
  const query: AuditQuery = {};
  const bad = (name: string, problem: string) =>
    errorResponse(400, "invalid_request", `"${name}" ${problem}.`);
  const email = c.req.query("email");
  if (email !== undefined) query.account = email;
  const actor = c.req.query("actor");
  if (actor !== undefined) query.actor = actor;
  const kind = c.req.query("kind");
  if (kind !== undefined) {
    const kinds = kind.split(",");
    const unknown = kinds.find((k) => !(AUDIT_KINDS as readonly string[]).includes(k));
    if (unknown !== undefined) return bad("kind", `must be among ${AUDIT_KINDS.join(", ")}`);
    query.kinds = kinds as AuditKind[];
  }
  for (const name of ["since", "until"] as const) {
    const text = c.req.query(name);
    if (text === undefined) continue;
    const time = /^[0-9]{1,15}$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(time)) {
      return bad(name, "must be a time (ISO 8601, or milliseconds since the epoch)");
    }
    query[name] = time;
  }
  const limit = c.req.query("limit");
  if (limit !== undefined) {
    const n = /^[0-9]{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_PAGE)) {
      return bad("limit", `must be a whole number from 1 to ${MAX_PAGE}`);
    }
    query.limit = n;
  }
  const cursor = c.req.query("cursor");
  if (cursor !== undefined) {
    if (!isCursor(cursor)) return bad("cursor", "is not a cursor of this history");
    query.cursor = cursor;
  }
  return query;
}
