// The browser's side of grants: minting user tokens at GET /token, and
// ending a session at /logout (and, when asked, at the provider).
import type { Context } from "hono";
import type { Core } from "../_core.ts";
import { errorResponse } from "../http/http.ts";
import { randomId } from "../crypto/seal.ts";
import { GrantEnded, MAX_TOKENS_PER_ACCOUNT } from "../grants/grants.ts";
import { type Identity, TokenRefused } from "../oidc/client.ts";
import type { SessionData } from "../credentials/session.ts";
import { legacyGrantId, USER_TOKEN_TTL } from "../credentials/tokens.ts";

/** The grant a session refers to: its own, or for a session of the old format the one migrated from it. */
function grantIdOf(session: SessionData): string | undefined {
  if (session.gid !== undefined) return session.gid;
  return typeof session.rt === "string" ? legacyGrantId(session.jti) : undefined;
}

/**
 * A new user token with an id of its own that refers to grant `gid`, for
 * `lifetime` seconds; a 429
 * past the per-account bound, and `undefined` when the grant cannot be used
 * (the caller then goes through the offline login).
 */
export async function mintToken(
  core: Core,
  identity: Identity,
  gid: string,
  lifetime: number = USER_TOKEN_TTL,
): Promise<string | Response | undefined> {
  const jti = randomId();
  const added = await core.grants!.addToken(gid, identity.email, jti, lifetime);
  if (added === "full") {
    core.log(`refused a user token for ${identity.email}: ${MAX_TOKENS_PER_ACCOUNT} are live`);
    return errorResponse(
      429,
      "too_many_tokens",
      `This account holds ${MAX_TOKENS_PER_ACCOUNT} live tokens; revoke some first.`,
    );
  }
  if (added === "ended") return undefined;
  return await core.tokens.issueUserToken(identity, gid, jti, lifetime);
}

/**
 * The grant of a session when it can still mint tokens: alive at the
 * provider, with a refresh token. A session of the old format (refresh token
 * inside) gets a grant made from it. A grant the provider now refuses is dead.
 */
export async function usableGrant(core: Core, session: SessionData): Promise<string | undefined> {
  const grants = core.grants!;
  const gid = grantIdOf(session);
  if (session.gid === undefined && gid !== undefined && !(await grants.live(gid))) {
    await grants.create(
      session,
      { rt: session.rt },
      { sessionUntil: session.exp * 1000, tokens: [] },
      Math.max(session.exp - Math.floor(core.clock() / 1000), 1),
      gid,
    );
  }
  if (gid === undefined || !(await grants.live(gid))?.hasRefreshToken) return undefined;
  try {
    await grants.validate(gid);
    return gid;
  } catch (error) {
    if (error instanceof GrantEnded || error instanceof TokenRefused) return undefined;
    throw error;
  }
}

/**
 * Lets go of the grant of the browser's current session, if any, when it
 * starts another login: the old session's cookie is about to be cleared.
 */
export async function leaveSession(core: Core, c: Context): Promise<void> {
  const session = core.grants && await core.sessions.read(c);
  const gid = session && grantIdOf(session);
  if (gid) await core.grants!.release(gid, { session: true });
}

/**
 * Ends the session of the request: its id is revoked, its grant released (a
 * refresh token no issued token refers to is revoked at the provider), and
 * with `providerLogout` the answer is the provider's `end_session_endpoint`.
 * @returns Where to send the browser.
 */
export async function endSession(
  core: Core,
  c: Context,
  session: SessionData | null,
): Promise<string> {
  if (!session) return "/";
  // Remembered as long as the session could have lived.
  await core.revocations.revokeId(session.jti, session.exp * 1000);
  const gid = grantIdOf(session);
  if (!gid || !core.grants || !core.oidc) return "/";
  let target = "/";
  if (core.options.providerLogout) {
    const url = await core.oidc.endSessionUrl({
      idTokenHint: await core.grants.idToken(gid),
      postLogoutRedirectUri: `${core.origin(c)}/`,
    }).catch((error) => {
      core.log(`logging out at the identity provider was skipped: ${error}`);
      return undefined;
    });
    if (url) target = url.href;
  }
  await core.grants.release(gid, { session: true });
  return target;
}
