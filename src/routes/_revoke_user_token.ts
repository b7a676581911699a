// Revoking one user token, as POST /token/revoke (by token or by id) and the
// admin page's list all do. The token is taken off its grant, and that is
// what refuses it from then on: the shared state keeps a mark per grant for
// a day (replicas drop what they cached of its tokens), not an entry per
// token for a year, so that what one account leaves behind stays bounded.
import type { Core } from "../_core.ts";
import { legacyGrantId } from "../credentials/tokens.ts";

/**
 * Revokes user token `tokenId` of grant `gid`; its id stays revoked until
 * `until` (epoch ms) only when it made tokens, which are checked against it,
 * when its grant's record is gone and cannot tell, or when it is of the old
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
  const { providerRevoked, keepId } = await core.grants!.release(gid, { tokenId });
  // A token of the old format gets its grant made again when used: only its id refuses it.
  if (keepId || gid === legacyGrantId(tokenId)) await core.revocations.revokeId(tokenId, until);
  // After the record changed: a replica that reads the mark then reads the new record.
  await core.revocations.grantChanged(gid);
  return providerRevoked;
}
