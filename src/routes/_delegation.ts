// The delegation limit, written once for every path by which authority moves:
// issuing a service token, revoking an account's tokens, granting or taking
// away capabilities, creating an API token, whoever the caller is (a user, a
// service token, an API token acting as a manager). The rule: a caller may act
// on an account only when it holds everything the account holds, and may hand
// out or take away only capabilities it holds.
import type { Core } from "../_core.ts";
import { errorResponse } from "../http/http.ts";
import type { OAuthUser, TokenParent } from "../env.ts";

const API_PREFIX = "api:";

/** A refusal by the delegation limit: the route answers 403, naming `missing`. */
export class DelegationRefused extends Error {
  constructor(readonly missing: readonly string[], action: string) {
    const names = missing.map((name) => JSON.stringify(name)).join(", ");
    super(`${action} needs ${names}, which you do not hold.`);
    this.name = "DelegationRefused";
  }
}

/**
 * Throws a `DelegationRefused` unless `held` (what the caller holds) covers
 * everything the account holds and every capability touched.
 *
 * @param action What the caller tries, as the start of a sentence ("Changing ann@example.com").
 */
export function checkDelegation(
  held: ReadonlySet<string>,
  action: string,
  accountHolds: Iterable<string>,
  touched: Iterable<string> = [],
): void {
  const missing = new Set<string>();
  for (const list of [accountHolds, touched]) {
    for (const name of list) if (!held.has(name)) missing.add(name);
  }
  if (missing.size > 0) throw new DelegationRefused([...missing], action);
}

/**
 * What an account holds: a user or service account its effective
 * capabilities; `api:<name>` those of the API tokens issued under that name.
 */
export async function accountHolds(core: Core, account: string): Promise<ReadonlySet<string>> {
  if (!account.startsWith(API_PREFIX)) return await core.caps.effective(account);
  const name = account.slice(API_PREFIX.length);
  const held = new Set<string>();
  for (const record of core.revocations.apiTokens({ name })) {
    for (const capability of record.capabilities) {
      if (core.caps.has(capability)) {
        for (const implied of core.caps.implied(capability)) held.add(implied);
      }
    }
  }
  return held;
}

/** The logged 403 for a refusal. */
export function delegationResponse(
  core: Core,
  caller: OAuthUser,
  refused: DelegationRefused,
): Response {
  core.log(`${caller.email} was refused by the delegation limit: ${refused.message}`);
  return errorResponse(403, "forbidden", refused.message);
}

/**
 * `undefined` when `caller` may act on an account that `holds` these
 * capabilities, else the logged 403 naming what the caller lacks.
 */
export async function actingRefusal(
  core: Core,
  caller: OAuthUser,
  action: string,
  holds: Iterable<string>,
): Promise<Response | undefined> {
  try {
    checkDelegation(await core.held(caller), action, holds);
    return undefined;
  } catch (error) {
    if (error instanceof DelegationRefused) return delegationResponse(core, caller, error);
    throw error;
  }
}

/** What a token made by `caller` carries of its maker, and how long it may live. */
export interface Lineage {
  /** Seconds: at most what was asked, and never past the calling token's expiry. */
  ttl: number;
  /** Sealed into the new token: `by` (accounts that bound it), `up` (tokens it dies with). */
  claims: { by: string[]; up?: TokenParent[] };
  /** The tokens it dies with, for the API-token record; absent when a session made it. */
  parents?: TokenParent[] | undefined;
}

/**
 * The lineage of a token `caller` makes: it holds no more than the accounts
 * behind the caller hold now (the caller's own account, unless an API token,
 * and those that made the caller); a token made by a token never outlives it
 * and is revoked with it (a session's tokens outlive the session, by design).
 */
export function lineage(core: Core, caller: OAuthUser, ttl: number): Lineage {
  const by = [
    ...new Set([
      ...(caller.createdBy ?? []),
      ...(caller.kind === "api" ? [] : [caller.email]),
    ]),
  ];
  const viaToken = caller.kind !== "user" || caller.expiresAt !== undefined;
  if (!viaToken || caller.tokenId === undefined) return { ttl, claims: { by } };
  const self: TokenParent = {
    email: caller.email,
    tokenId: caller.tokenId,
    ...(caller.issuedAt === undefined ? {} : { issuedAt: caller.issuedAt }),
  };
  const parents = [self, ...(caller.parents ?? [])];
  const left = caller.expiresAt === undefined
    ? ttl
    : caller.expiresAt - Math.floor(core.clock() / 1000);
  return { ttl: Math.max(1, Math.min(ttl, left)), claims: { by, up: parents }, parents };
}
