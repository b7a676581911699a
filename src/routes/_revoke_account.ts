// Revoking every token and session of an account, as POST /token/revoke
// {"user"} and the admin page's "revoke all" both do: within the delegation
// limit, recorded in the audit trail, and ended at the provider too.
import type { Context } from "hono";
import type { Caller, Core } from "../_core.ts";
import type { OAuthUser } from "../env.ts";
import { recordRevocation } from "./_audit_hooks.ts";
import { accountHolds, actingRefusal } from "./_delegation.ts";

/**
 * Revokes everything of `account` for `caller`; the refusal when the account
 * holds what the caller lacks. Ending the logins at the provider is best
 * effort, reported in the log.
 */
export async function revokeAccount(
  core: Core,
  c: Context,
  caller: Caller & { user: OAuthUser },
  account: string,
  via: "api" | "page",
): Promise<Response | undefined> {
  const beyond = await actingRefusal(
    core,
    caller.user,
    `Revoking every token of ${account}`,
    await accountHolds(core, account),
  );
  if (beyond) return beyond;
  await core.revocations.revokeAccount(account);
  await recordRevocation(core, c, caller, account, undefined, via);
  await core.grants?.revokeAccount(account).catch((error) => {
    core.log(`revoking the grants of ${account} at the provider failed: ${error}`);
  });
  return undefined;
}
