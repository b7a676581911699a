// The audit entries the routes append: one function per kind of change, so
// that each route adds one line and every entry is built the same way.
import type { Context } from "hono";
import type { Caller, Core } from "../_core.ts";
import type { AuditToken } from "../audit/audit_entry.ts";

/**
 * Records a change of `email`'s stored capabilities from `before` to `after`
 * (nothing when the change changed nothing), made under `core.audit.serial`
 * when the store's version was `version`.
 */
export async function recordChange(
  core: Core,
  c: Context,
  caller: Caller,
  change: { email: string; before: readonly string[]; after: readonly string[]; version: number },
  via: "api" | "page" = "api",
): Promise<void> {
  const { email, before, after } = change;
  const was = new Set(before);
  if (was.size === new Set(after).size && after.every((name) => was.has(name))) return;
  core.audit.wrote(email, after, change.version);
  await core.audit.record(c, caller, {
    kind: "capabilities_changed",
    account: email,
    via,
    before: [...before],
    after: [...after],
  });
}

/** Records a token minted for `account` (never the token: its id, kind, capabilities, expiry). */
export async function recordMint(
  core: Core,
  c: Context,
  caller: Caller,
  account: string,
  token: AuditToken,
  via: "api" | "login" = "api",
): Promise<void> {
  await core.audit.record(c, caller, { kind: "token_minted", account, via, token });
}

/** Records a revocation: of one token, or (without `token`) of every token of `account`. */
export async function recordRevocation(
  core: Core,
  c: Context,
  caller: Caller,
  account: string,
  token?: AuditToken,
  via: "api" | "page" = "api",
): Promise<void> {
  await core.audit.record(c, caller, {
    kind: token ? "token_revoked" : "account_revoked",
    account,
    via,
    ...(token ? { token } : {}),
  });
}
