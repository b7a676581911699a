// The records of one account: a new login's record, what the account holds
// across its records (its live user tokens), the records a new login may push
// out (the per-account bound), and whether a login other than a given one is
// still in use. Kept apart from `Grants`, which works one record at a time.
import { canonicalEmail } from "../_email.ts";
import type { Identity } from "../oidc/client.ts";
import type { GrantRecord, TokenStore } from "../stores/token_store.ts";
import { checkedOf, type GrantData, MAX_GRANTS_PER_ACCOUNT } from "./grant_data.ts";

/** What refers to a new grant, and how it was made. */
export interface GrantRefs {
  sessionUntil: number;
  tokens: string[];
  checkedUntil?: number;
  offline?: boolean;
  sid?: string | undefined;
}

/** The first version of a login's record, made at `now` (epoch seconds) to live `lifetime` seconds. */
export function newRecord(
  id: string,
  identity: Identity,
  sealed: string,
  refs: GrantRefs,
  now: number,
  lifetime: number,
): GrantRecord {
  const data: GrantData = {
    sealed,
    sub: identity.sub,
    iss: identity.iss,
    ...(identity.name ? { name: identity.name } : {}),
    session_until: refs.sessionUntil,
    tokens: refs.tokens,
    since: now,
    ...(refs.offline ? { offline: true } : {}),
    ...(refs.sid ? { sid: refs.sid } : {}),
    ...(refs.checkedUntil ? { checked: checkedOf(identity, refs.checkedUntil) } : {}),
  };
  const email = canonicalEmail(identity.email);
  return { id, email, version: 1, expires_at: now + lifetime, data };
}

const dataOf = (record: GrantRecord) => record.data as GrantData;

/** The live user tokens of `email` (ids, with their grant and its end, epoch seconds). */
export async function tokensOf(
  store: TokenStore,
  email: string,
): Promise<{ id: string; grant: string; until: number }[]> {
  const grants = await store.grantsOf(canonicalEmail(email));
  return grants.filter((r) => !dataOf(r).dead).flatMap((r) =>
    dataOf(r).tokens.map((id) => ({ id, grant: r.id, until: r.expires_at }))
  );
}

/** How many live tokens `email` holds from `/token`, over all its grants. */
export async function tokenCount(store: TokenStore, email: string): Promise<number> {
  const grants = await store.grantsOf(canonicalEmail(email));
  return grants.reduce((n, r) => n + (dataOf(r).dead ? 0 : dataOf(r).tokens.length), 0);
}

/**
 * The records of `email` to let go so that one more fits under
 * `MAX_GRANTS_PER_ACCOUNT`: its dead records first (not those the provider
 * refused), then its oldest logins that only a session refers to.
 */
export async function spareRecords(store: TokenStore, email: string): Promise<GrantRecord[]> {
  const records = await store.grantsOf(email);
  const excess = records.length + 1 - MAX_GRANTS_PER_ACCOUNT;
  if (excess <= 0) return [];
  const rank = (r: GrantRecord) => (dataOf(r).dead ? -1 : dataOf(r).session_until);
  // A grant the provider refused stays: the tokens made under it ask it (see `Grants.check`).
  return records
    .filter((r) => !dataOf(r).refused && (dataOf(r).dead || dataOf(r).tokens.length === 0))
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, excess);
}

/** Whether the account of `record` has another login in use (a token, or a session until later than `now`). */
export async function othersLive(
  store: TokenStore,
  record: GrantRecord,
  now: number,
): Promise<boolean> {
  return (await store.grantsOf(record.email)).some((other) =>
    other.id !== record.id && !dataOf(other).dead &&
    (dataOf(other).tokens.length > 0 || dataOf(other).session_until > now)
  );
}
