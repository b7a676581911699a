// The admin page for holders of user_management, under the prefix:
// GET /manage_capabilities/ (accounts, searched and paged),
// GET /manage_capabilities/account?email= (capabilities with the delegation
// limit shown, tokens in circulation, history), and the forms it posts
// (change, revoke, revoke_all): same-origin only, under the same checks as
// the JSON routes, each change recorded in the audit trail (via "page").
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { emailProblem } from "../_email.ts";
import { errorResponse } from "../http/http.ts";
import type { OAuthEnv } from "../env.ts";
import type { AuditEntry } from "../audit/audit_entry.ts";
import { isCursor } from "../audit/paging.ts";
import type { CapabilityGuard } from "../capabilities/guard.ts";
import {
  accountListPage,
  accountPage,
  type CapabilityChoice,
  type HistoryRow,
} from "../pages/admin_page.ts";
import { accountHolds, actingRefusal, checkDelegation } from "./_delegation.ts";
import type { Authenticated } from "./_guards.ts";
import { form, manager } from "./_admin_forms.ts";
import { recordChange, recordRevocation } from "./_audit_hooks.ts";
import { revokeAccount } from "./_revoke_account.ts";
import { revokeRow, tokensInCirculation } from "./_account_tokens.ts";
import { visibleHistory } from "./admin_history.ts";

const PAGE = 50;
/** The account of an API token's name, as `POST /token/revoke` takes it. */
const API_ACCOUNT = /^api:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Adds the admin page and its forms (under the prefix). */
export function adminPageRoutes(core: Core, app: Hono<OAuthEnv>): void {
  const base = core.path("/manage_capabilities/");
  app.get("/manage_capabilities/", async (c) => {
    const caller = await manager(core, c);
    if (caller instanceof Response) return caller;
    await core.audit.notice();
    const query = (c.req.query("q") ?? "").trim().toLowerCase().slice(0, 200);
    const all = await core.caps.store.all();
    const matching: [string, readonly string[]][] = [];
    for (const entry of all) {
      if (!query || entry[0].toLowerCase().includes(query)) matching.push(entry);
    }
    const from = Math.min(Math.max(0, Number(c.req.query("from")) || 0), matching.length);
    const rows = await Promise.all(
      matching.slice(from, from + PAGE).map(async ([email, stored]) => ({
        email,
        stored,
        effective: [...await core.caps.effective(email)].sort(),
      })),
    );
    return accountListPage({
      base,
      caller: caller.user.email,
      query,
      rows,
      total: matching.length,
      from,
      ...(from + PAGE < matching.length ? { next: from + PAGE } : {}),
      ...(from > 0 ? { previous: Math.max(0, from - PAGE) } : {}),
    });
  });

  app.get("/manage_capabilities/account", async (c) => {
    const caller = await manager(core, c);
    if (caller instanceof Response) return caller;
    const email = c.req.query("email") ?? "";
    const problem = emailProblem(email);
    if (problem && !API_ACCOUNT.test(email)) {
      return errorResponse(400, "invalid_request", `"email" ${problem}.`);
    }
    await core.audit.notice();
    return await showAccount(core, c, caller, email);
  });

  app.post(
    "/manage_capabilities/change",
    (c) =>
      form(core, c, ["email", "capability", "action"], async (caller, fields) => {
        const { email, capability, action } = fields;
        if (!core.caps.has(capability) || (action !== "add" && action !== "remove")) {
          return errorResponse(400, "invalid_request", "Unknown capability or action.");
        }
        const problem = emailProblem(email);
        if (problem) return errorResponse(400, "invalid_request", `"email" ${problem}.`);
        await core.audit.notice();
        await core.audit.serial(async () => {
          const held = await core.held(caller.user);
          let before: readonly string[] | undefined;
          const guard: CapabilityGuard = (account) => {
            before = account.current;
            const own = account.email === caller.user.email && caller.user.kind !== "api"
              ? new Set([...held].filter((name) => account.held.has(name)))
              : held;
            checkDelegation(own, `Changing ${email}`, account.held, [capability]);
          };
          const version = core.caps.store.version;
          const after = action === "add"
            ? await core.caps.add(email, capability, guard)
            : await core.caps.remove(email, capability, guard);
          if (before !== undefined) {
            await recordChange(core, c, caller, { email, before, after, version }, "page");
          }
        });
        return back(c, base, email, `${action === "add" ? "added" : "removed"}:${capability}`);
      }),
  );

  app.post(
    "/manage_capabilities/revoke",
    (c) =>
      form(core, c, ["email", "id"], async (caller, { email, id }) => {
        const row = (await tokensInCirculation(core, email)).find((token) => token.id === id);
        if (!row) return errorResponse(400, "invalid_request", "No such token in circulation.");
        const beyond = await actingRefusal(
          core,
          caller.user,
          "Revoking this token",
          row.capabilities ?? await accountHolds(core, row.account),
        );
        if (beyond) return beyond;
        await revokeRow(core, row);
        await recordRevocation(core, c, caller, row.account, {
          kind: row.kind,
          id: row.id,
          ...(row.name ? { name: row.name } : {}),
          ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
        }, "page");
        return back(c, base, email, `revoked:${row.kind}:${row.id}`);
      }),
  );

  app.post(
    "/manage_capabilities/revoke_all",
    (c) =>
      form(core, c, ["email"], async (caller, { email }) => {
        const problem = emailProblem(email);
        if (problem && !API_ACCOUNT.test(email)) {
          return errorResponse(400, "invalid_request", `"email" ${problem}.`);
        }
        const refused = await revokeAccount(core, c, caller, email, "page");
        if (refused) return refused;
        return back(c, base, email, "revoked_all");
      }),
  );
}

/** Back to the account's page (303: the form is not posted again on reload). */
function back(c: Context, base: string, email: string, done: string): Response {
  return c.redirect(`${base}account?${new URLSearchParams({ email, done })}`, 303);
}

/**
 * The sentence for what the last form did, from a code of `back` (never text
 * from the link: another site could link here to show its own words).
 */
function noticeOf(core: Core, done: string | undefined, email: string): string | undefined {
  if (done === undefined) return undefined;
  if (done === "revoked_all") return `Revoked every token and session of ${email}.`;
  const [what, name, id] = done.split(":");
  if ((what === "added" || what === "removed") && core.caps.has(name ?? "") && id === undefined) {
    return `${what === "added" ? "Added" : "Removed"} ${name}.`;
  }
  const kinds = ["user", "service", "api"];
  if (what === "revoked" && kinds.includes(name ?? "") && /^[A-Za-z0-9_-]{1,64}$/.test(id ?? "")) {
    return `Revoked the ${name} token ${id}.`;
  }
  return undefined;
}

async function showAccount(
  core: Core,
  c: Context,
  caller: Authenticated,
  email: string,
): Promise<Response> {
  const held = await core.held(caller.user);
  const holds = await accountHolds(core, email);
  const lacking = [...holds].filter((name) => !held.has(name));
  const limit = lacking.length
    ? `This account holds ${lacking.map((n) => `"${n}"`).join(", ")}, which you do not hold: ` +
      "you cannot change it, revoke its tokens or read its history."
    : undefined;
  const stored = email.startsWith("api:") ? [] : await core.caps.get(email);
  const choices: CapabilityChoice[] = core.caps.names.map((name) => ({
    name,
    stored: stored.includes(name),
    effective: holds.has(name),
    ...(limit
      ? { refusal: "Beyond your limit (see above)." }
      : held.has(name)
      ? {}
      : { refusal: `You do not hold "${name}".` }),
  }));
  const cursor = c.req.query("cursor");
  const history = limit ? { entries: [] } : await visibleHistory(core, caller.user, {
    account: email,
    limit: PAGE,
    ...(cursor && isCursor(cursor) ? { cursor } : {}),
  });
  const notice = noticeOf(core, c.req.query("done"), email);
  return accountPage({
    base: core.path("/manage_capabilities/"),
    caller: caller.user.email,
    email,
    stored,
    effective: [...holds].sort(),
    ...(limit ? { limit } : {}),
    choices,
    tokens: limit ? [] : await tokensInCirculation(core, email),
    history: history.entries.map(historyRow),
    ...(history.next ? { older: history.next } : {}),
    ...(notice ? { notice } : {}),
  });
}

function historyRow(entry: AuditEntry): HistoryRow {
  let what: string = `${entry.kind.replace(/_/g, " ")} ${entry.account}`;
  if (entry.kind === "capabilities_changed") {
    const from = entry.before?.join(", ") || "(none)";
    const to = entry.after?.join(", ") || "(none)";
    what = entry.via === "file"
      ? `edited in the file: ${from} → ${to}`
      : `capabilities: ${from} → ${to}`;
  } else if (entry.token) {
    what += ` (${entry.token.kind} token ${entry.token.id}${
      entry.token.name ? `, ${entry.token.name}` : ""
    })`;
  }
  return {
    at: entry.at,
    actor: entry.actor.email ?? "(the file)",
    credential: `${entry.actor.credential}, ${entry.via}`,
    ...(entry.actor.address ? { address: entry.actor.address } : {}),
    what,
  };
}
