// The user tokens a grant record lists: adding one under the per-account
// bound, asking whether one is still listed (a revoked token is taken off,
// and that is what refuses it), and noting which of them made tokens.
import { canonicalEmail } from "../_email.ts";
import type { TokenStore } from "../stores/token_store.ts";
import type { GrantRecord } from "../stores/token_store.ts";
import { changeGrant, type GrantData, MAX_TOKENS_PER_ACCOUNT, serialized } from "./grant_data.ts";
import { tokenCount } from "./_accounts.ts";

/**
 * Adds `tokenId` to the live grant `id` of `email` and extends the grant's
 * life to `until` (epoch seconds), unless the account holds
 * `MAX_TOKENS_PER_ACCOUNT` tokens: the count and the write are one step for
 * the account within this process.
 */
export function addToken(
  store: TokenStore,
  { id, email, tokenId, until }: { id: string; email: string; tokenId: string; until: number },
): Promise<"added" | "full" | "ended"> {
  return serialized(store, `account:${canonicalEmail(email)}`, async () => {
    if (await tokenCount(store, email) >= MAX_TOKENS_PER_ACCOUNT) return "full";
    const record = await changeGrant(store, id, (data) => {
      if (data.dead) return undefined;
      return { ...data, tokens: [...data.tokens, tokenId] };
    }, (expiresAt) => Math.max(expiresAt, until));
    const data = record?.data as GrantData | undefined;
    return data && !data.dead && data.tokens.includes(tokenId) ? "added" : "ended";
  });
}

/**
 * Whether grant `id` lists `tokenId`, as the store holds it now: "live" (the
 * token stands as far as its grant goes), "dead" (listed by a grant that
 * ended), or "absent" (revoked, or its grant is gone).
 */
export async function listing(
  store: TokenStore,
  id: string,
  tokenId: string,
): Promise<"live" | "dead" | "absent"> {
  const data = (await store.getGrant(id))?.data as GrantData | undefined;
  if (data === undefined || !data.tokens.includes(tokenId)) return "absent";
  return data.dead ? "dead" : "live";
}

/**
 * Notes that `tokenId` made a token, in the same compare-and-set that finds
 * it still listed: a revocation taking it off at the same time either sees
 * the note or makes this answer false.
 */
export async function markMaker(store: TokenStore, id: string, tokenId: string): Promise<boolean> {
  let held = false;
  await changeGrant(store, id, (data) => {
    held = !data.dead && data.tokens.includes(tokenId);
    const makers = data.makers ?? [];
    if (!held || makers.includes(tokenId)) return undefined;
    return { ...data, makers: [...makers, tokenId] };
  });
  return held;
}

/** What is taken off a grant: a token (its id kept revoked until `keepUntil`, epoch ms, if it made tokens), or the session. */
export type Holder = { tokenId: string; keepUntil: number } | { session: true };

/**
 * Takes a holder off the grant `id`, at `now` (epoch ms). A token that made
 * tokens has its id revoked in the store first, in the same compare-and-set
 * round that takes it off (those tokens are checked against that id): a
 * failure leaves it listed, and a retry finds it a maker still. A token no
 * longer listed changes nothing. When nothing refers to a live grant any
 * more it is dead and its record is dropped at once (`ended`).
 */
export async function takeOff(
  store: TokenStore,
  id: string,
  holder: Holder,
  now: number,
): Promise<{ record: GrantRecord | undefined; ended: boolean }> {
  let ended = false;
  let kept = false;
  const record = await changeGrant(store, id, async (data) => {
    ended = false;
    const token = "tokenId" in holder ? holder : undefined;
    // Nothing to change: a token not listed (taken off before), a dead grant's session.
    if (token === undefined ? data.dead : !data.tokens.includes(token.tokenId)) return undefined;
    if (token !== undefined && !kept && data.makers?.includes(token.tokenId)) {
      await store.revokeId(token.tokenId, token.keepUntil);
      kept = true;
    }
    const tokens = data.tokens.filter((t) => t !== token?.tokenId);
    const makers = data.makers?.filter((t) => tokens.includes(t));
    const sessionUntil = token === undefined ? 0 : data.session_until;
    // A dead grant loses the token and stays dead: it was ended (and revoked) once.
    ended = !data.dead && tokens.length === 0 && sessionUntil <= now;
    return {
      ...data,
      tokens,
      makers: makers?.length ? makers : undefined,
      session_until: sessionUntil,
      ...(ended ? { dead: true } : {}),
    };
  }, (expiresAt) => (ended ? Math.floor(now / 1000) : expiresAt));
  return { record, ended };
}

/**
 * Before a dead record is dropped, revokes in the store the ids of the
 * tokens it lists that made tokens (until the record would have expired,
 * which is no sooner than they would): those tokens are checked against them,
 * and nothing else will say so once the record is gone.
 */
export async function keepMakers(store: TokenStore, record: GrantRecord): Promise<void> {
  for (const tokenId of (record.data as GrantData).makers ?? []) {
    await store.revokeId(tokenId, record.expires_at * 1000);
  }
}
