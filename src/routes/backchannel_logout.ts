// POST /backchannel_logout (OpenID Connect Back-Channel Logout 1.0 §2.5):
// the provider says that a session of its own, or every session of a person,
// ended. The logout token is validated fully (§2.6), refused when replayed,
// and the logins it names end on every replica: their sessions, their plain
// grants and the tokens minted from those (see grants/provider_logout.ts).
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import type { OAuthEnv } from "../env.ts";
import { errorResponse, NO_STORE } from "../http/http.ts";
import { readAtMost } from "../http/body.ts";
import { InvalidLogoutToken, type LogoutClaims } from "../oidc/client.ts";
import { logoutKey } from "../grants/provider_logout.ts";
import { LOGOUT_TOKEN_MAX_AGE } from "../oidc/_logout_token.ts";

/** A logout token is a JWT of a few hundred bytes; its form, with room to spare. */
const MAX_BODY = 16 * 1024;

/** Adds `POST /backchannel_logout` (under the prefix). */
export function backchannelLogoutRoute(core: Core, app: Hono<OAuthEnv>): void {
  app.post("/backchannel_logout", (c) => backchannelLogout(core, c));
}

function refuse(core: Core, why: string): Response {
  core.log(`refused a back-channel logout: ${why}`);
  return errorResponse(400, "invalid_request", `The logout token is not valid: ${why}.`, NO_STORE);
}

async function backchannelLogout(core: Core, c: Context): Promise<Response> {
  if (!core.oidc) return errorResponse(404, "not_found", "No identity provider is used.");
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return errorResponse(
      415,
      "unsupported_media_type",
      "The body must be application/x-www-form-urlencoded.",
    );
  }
  const bytes = await readAtMost(c.req.raw.body, MAX_BODY);
  if (bytes === null) {
    return errorResponse(413, "payload_too_large", `The body must be at most ${MAX_BODY} bytes.`);
  }
  const tokens = new URLSearchParams(new TextDecoder().decode(bytes)).getAll("logout_token");
  if (tokens.length !== 1) return refuse(core, "send exactly one logout_token");
  let claims: LogoutClaims;
  try {
    claims = await core.oidc.verifyLogoutToken(tokens[0]!);
  } catch (error) {
    if (error instanceof InvalidLogoutToken) return refuse(core, error.message);
    const failure = core.providerFailure(error, 503);
    if (failure) return failure;
    throw error;
  }
  try {
    return await endLogins(core, claims);
  } catch (error) {
    return core.failure(error);
  }
}

/**
 * Records the logout, once per `jti`, where every replica reads it. The
 * logouts are written first, each the same however often it is (its `before`
 * is fixed by the token), and the `jti` is used last, atomically: a delivery
 * that failed partway can be retried, and of deliveries at once one is taken.
 */
async function endLogins(core: Core, claims: LogoutClaims): Promise<Response> {
  const revocations = core.revocations;
  await revocations.ready();
  const tolerance = core.options.clockTolerance;
  // What began after the token's iat (give or take the clocks) stays, even on a replay.
  const before = Math.min(Math.floor(core.clock() / 1000), claims.iat + tolerance);
  // A token naming a sid ends that session (and the person's logins that
  // recorded none, which cannot be told apart); one naming only a sub, all
  // of the person's (§2.6).
  const { iss, sid, sub } = claims;
  if (sid !== undefined) await revocations.revokeAccount(logoutKey("sid", iss, sid), before);
  if (sub !== undefined) {
    const kind = sid === undefined ? "sub" : "sub-without-sid";
    await revocations.revokeAccount(logoutKey(kind, iss, sub), before);
  }
  // Remembered as long as the token could be accepted at all.
  const until = (claims.iat + LOGOUT_TOKEN_MAX_AGE + 2 * tolerance) * 1000;
  if (!(await revocations.useOnce(logoutKey("jti", iss, claims.jti), until))) {
    return refuse(core, "its jti was already used (a replay)");
  }
  core.log(
    `the identity provider ended ${
      claims.sid === undefined ? "every session of a person" : "a session"
    } (back-channel logout): its logins here are over`,
  );
  return new Response(null, { status: 200, headers: NO_STORE });
}
