// Revoking one user token, as POST /token/revoke (by token or by id) and the
// admin page's list all do. The token is taken off its grant, and that is
// what refuses it from then on: the shared state keeps a mark per grant for
// a day (replicas drop what they cached of its tokens), not an entry per
// token for a year, so that what one account leaves behind stays bounded.
import type { Core } from "../_core.ts";
import { legacyGrantId } from "../credentials/tokens.ts";

/**
 * Revokes user token `tokenId` of grant `gid`; its id stays revoked until
 * `until` (epoch ms) only when it made tokens, which are checked against it
 * (written before it is taken off its grant), or when it is of the old
 * format (its grant is made again from it on use).
 * @returns Whether the provider confirmed the revocation of the grant (when
 *   nothing else used it).
 */
export async function revokeUserToken(
  core: Core,
  gid: string,
  tokenId: string,
  until: number,
): Promise<boolean> {
  // A token of the old format gets its grant made again when used: only its id refuses it.
  if (gid === legacyGrantId(tokenId)) await core.revocations.revokeId(tokenId, until);
  // Not listed: revoked before (a maker's id kept first), or its grant is gone. Nothing to write.
  if ((await core.grants!.listing(gid, tokenId)) === "absent") return false;
  // Marked before the record changes (what replicas read meanwhile is cached
  // a minute at most, should this process die half-way) and after (what they
  // read before the change is read again at once).
  await core.revocations.grantChanged(gid);
  const providerRevoked = await core.grants!.release(gid, { tokenId, keepUntil: until });
  await core.revocations.grantChanged(gid);
  return providerRevoked;
}
