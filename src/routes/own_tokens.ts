// Self-service: a user lists and revokes the tokens of her own account, one
// or all at once, without `user_management` (a stolen token, or the bound of
// live tokens, needs no admin).
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { errorResponse, NO_STORE } from "../http/http.ts";
import type { OAuthEnv } from "../env.ts";
import { MAX_TOKEN_LIFETIME } from "../credentials/revocations.ts";
import { type Authenticated, authenticated } from "./_guards.ts";
import { revokeUserToken } from "./_revoke_user_token.ts";

/** One token of the caller's account, as `GET /token/mine` lists it. */
interface OwnToken {
  id: string;
  kind: "user" | "api";
  /** When it ends at the latest (seconds since the epoch). */
  expires_at: number;
  /** An API token's name. */
  name?: string;
}

/** Adds `GET /token/mine`. */
export function ownTokenRoutes(core: Core, app: Hono<OAuthEnv>): void {
  app.get("/token/mine", async (c) => {
    const caller = await authenticated(core, c);
    if (caller instanceof Response) return caller;
    const refused = notAPerson(caller);
    if (refused) return refused;
    const tokens = await ownTokens(core, caller.user.email);
    return c.json({ status: "ok", email: caller.user.email, tokens }, 200, NO_STORE);
  });
}

/** A 403 unless the caller is a person (a session or a user token): accounts of tools have no "own" tokens here. */
export function notAPerson(caller: Authenticated): Response | undefined {
  if (caller.user.kind === "user") return undefined;
  return errorResponse(
    403,
    "forbidden",
    "Only a person (a session or a user token) can list or revoke the tokens of their account.",
  );
}

/** The live user tokens of `email`, and the API tokens it made. */
async function ownTokens(core: Core, email: string): Promise<OwnToken[]> {
  const users = core.grants ? await core.grants.tokensOf(email) : [];
  const now = Math.floor(core.clock() / 1000);
  return [
    ...users
      .filter((t) => !core.revocations.isRevoked({ email, tokenId: t.id }))
      .map((t): OwnToken => ({ id: t.id, kind: "user", expires_at: t.until })),
    ...core.revocations.apiTokens({ createdBy: email })
      .filter((t) => t.expires_at > now)
      .map((t): OwnToken => ({ id: t.id, kind: "api", name: t.name, expires_at: t.expires_at })),
  ];
}

/**
 * `POST /token/revoke {"id"}`: revokes one token of the caller's own account
 * by its id (from `GET /token/mine`); a 404 for an id that is not hers.
 */
export async function revokeOwnById(
  core: Core,
  c: Context,
  caller: Authenticated,
  id: unknown,
): Promise<Response> {
  const refused = notAPerson(caller);
  if (refused) return refused;
  if (typeof id !== "string" || id === "" || id.length > 128) {
    return errorResponse(400, "invalid_request", '"id" must be a token id.');
  }
  const email = caller.user.email;
  const users = core.grants ? await core.grants.tokensOf(email) : [];
  const user = users.find((t) => t.id === id);
  const api = core.revocations.apiTokens({ createdBy: email }).find((t) => t.id === id);
  if (!user && !api) {
    return errorResponse(404, "not_found", "Your account holds no live token with this id.");
  }
  const until = (user?.until ?? api?.expires_at ??
    Math.floor(core.clock() / 1000) + MAX_TOKEN_LIFETIME) * 1000;
  let providerRevoked = false;
  if (user) providerRevoked = await revokeUserToken(core, user.grant, id, until);
  else await core.revocations.revokeId(id, until);
  return c.json({ status: "ok", revoked: "token", id, provider_revoked: providerRevoked });
}
