// Service tokens (GET /token?user=), revocation (POST /token/revoke) and
// capability-scoped API tokens (POST and GET /token/api).
import type { Context, Hono } from "hono";
import type { Core } from "../_core.ts";
import { canonicalEmail, emailProblem } from "../_email.ts";
import { errorResponse, NO_STORE } from "../http/http.ts";
import type { OAuthEnv } from "../env.ts";
import { MAX_TOKEN_LIFETIME } from "../credentials/revocations.ts";
import { randomId, Sealer, type SealPurpose } from "../crypto/seal.ts";
import { accountHolds, actingRefusal, lineage } from "./_delegation.ts";
import { notAPerson, ownTokenRoutes, revokeOwnById } from "./own_tokens.ts";
import { recordMint, recordRevocation } from "./_audit_hooks.ts";
import { revokeAccount } from "./_revoke_account.ts";
import { revokeUserToken } from "./_revoke_user_token.ts";
import type { ApiTokenRecord } from "../stores/token_store.ts";
import {
  authenticated,
  crossSiteRefusal,
  FieldError,
  listField,
  managerBody,
  needManagement,
  strictBody,
  stringField,
  unknownCapability,
} from "./_guards.ts";

const API_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** What `POST /token/revoke` takes: tokens handed out, never sessions, login states or sealed grant secrets. */
const REVOCABLE: ReadonlySet<SealPurpose> = new Set(["user_token", "service_token", "api_token"]);

/** Adds `/token/whoami`, `/token/revoke` and `/token/api` (under the prefix). */
export function tokenRoutes(core: Core, app: Hono<OAuthEnv>): void {
  app.get("/token/whoami", (c) => whoami(core, c));
  app.post("/token/revoke", (c) => revoke(core, c));
  ownTokenRoutes(core, app);
  app.post("/token/api", (c) => createApiToken(core, c));
  app.get("/token/api", async (c) => {
    const caller = await authenticated(core, c);
    if (caller instanceof Response) return caller;
    const refused = await needManagement(core, caller);
    if (refused) return refused;
    return c.json({ status: "ok", tokens: core.revocations.apiTokens() }, 200, NO_STORE);
  });
}

/** `GET /token?user=name@service`: a service token, for a user manager. */
export async function serviceToken(core: Core, c: Context): Promise<Response> {
  const caller = await authenticated(core, c);
  if (caller instanceof Response) return caller;
  const account = canonicalEmail(c.req.query("user") ?? "");
  if (!account.endsWith("@service") || emailProblem(account)) {
    return errorResponse(
      400,
      "invalid_request",
      '"user" must be a service account, like "bot@service".',
    );
  }
  const refused = await needManagement(core, caller);
  if (refused) return refused;
  const snapshot = await core.caps.effective(account);
  const beyond = await actingRefusal(core, caller.user, `A service token for ${account}`, snapshot);
  if (beyond) return beyond;
  const { ttl, claims } = lineage(core, caller.user, MAX_TOKEN_LIFETIME);
  const gr = await core.grantsBehind(c, caller);
  if (gr instanceof Response) return gr;
  const jti = randomId();
  const token = await core.sealer.seal("service_token", {
    jti,
    email: account,
    caps: [...snapshot],
    ...claims,
    ...(gr.length > 0 ? { gr } : {}),
  }, { ttl });
  const now = Math.floor(core.clock() / 1000);
  await recordMint(core, c, caller, account, {
    kind: "service",
    id: jti,
    capabilities: [...snapshot].sort(),
    issuedAt: now,
    expiresAt: now + ttl,
  });
  const capabilities = await core.caps.get(account);
  return c.json({ service_token: token, user: account, capabilities }, 200, NO_STORE);
}

/**
 * `GET /token/whoami`: who the presented token (or session) is: its account,
 * kind, expiry and what it may do now. Never the token itself.
 */
async function whoami(core: Core, c: Context): Promise<Response> {
  const caller = await authenticated(core, c);
  if (caller instanceof Response) return caller;
  const { user } = caller;
  const capabilities: string[] = [];
  for (const name of core.caps.names) {
    if (await core.allowed(user, name)) capabilities.push(name);
  }
  return c.json(
    {
      status: "ok",
      email: user.email,
      kind: user.kind,
      expires_at: user.expiresAt ?? null,
      capabilities,
    },
    200,
    NO_STORE,
  );
}

async function revoke(core: Core, c: Context): Promise<Response> {
  const caller = await authenticated(core, c);
  if (caller instanceof Response) return caller;
  const body = await strictBody(c, ["token", "user", "id"]);
  if (body instanceof Response) return body;
  const given = [body.token, body.user, body.id].filter((v) => v !== undefined).length;
  if (given !== 1) {
    return errorResponse(400, "invalid_request", 'Send one of "token", "user" or "id".');
  }
  const crossSite = crossSiteRefusal(core, c, caller);
  if (crossSite) return crossSite;
  if (body.id !== undefined) return await revokeOwnById(core, c, caller, body.id);
  if (body.user !== undefined) {
    // A person may revoke every token of her own account; other accounts need user_management.
    const own = typeof body.user === "string" &&
      canonicalEmail(body.user) === canonicalEmail(caller.user.email) &&
      notAPerson(caller) === undefined;
    const refused = own ? undefined : await needManagement(core, caller);
    if (refused) return refused;
    const user = typeof body.user === "string" ? canonicalEmail(body.user) : body.user;
    const account = typeof user === "string" &&
      (emailProblem(user) === null || (user.startsWith("api:") && API_NAME.test(user.slice(4))));
    if (!account) {
      return errorResponse(400, "invalid_request", '"user" must be an account or api:<name>.');
    }
    const beyond = await revokeAccount(core, c, caller, user, "api");
    if (beyond) return beyond;
    return c.json({ status: "ok", revoked: "user", user });
  }
  const token = body.token;
  const purpose = typeof token === "string" ? Sealer.purposeOf(token) : undefined;
  const claims = purpose && REVOCABLE.has(purpose)
    ? await core.sealer.open(purpose, token as string)
    : null;
  if (!purpose || !claims) {
    return errorResponse(400, "invalid_request", '"token" is not a valid token of this app.');
  }
  const holder = caller.user.tokenId === claims.jti ||
    (caller.user.kind !== "api" && caller.user.email === claims.email);
  if (!holder) {
    const refused = await needManagement(core, caller) ??
      await actingRefusal(
        core,
        caller.user,
        "Revoking this token",
        // A service or API token holds its snapshot; a user's token, what the account holds.
        Array.isArray(claims.caps)
          ? claims.caps.map(String)
          : await accountHolds(core, String(claims.email)),
      );
    if (refused) return refused;
  }
  const until = (claims.exp ?? Math.floor(core.clock() / 1000) + MAX_TOKEN_LIFETIME) * 1000;
  // A user token's grant is revoked at the provider only when nothing else
  // refers to it. Tokens of the old format shared their refresh token with
  // siblings: only the token itself is revoked.
  const gid = purpose === "user_token" && core.grants ? claims.gid : undefined;
  let providerRevoked = false;
  if (typeof gid === "string") {
    providerRevoked = await revokeUserToken(core, gid, claims.jti, until);
  } else {
    await core.revocations.revokeId(claims.jti, until);
  }
  await recordRevocation(core, c, caller, String(claims.email), {
    kind: purpose === "user_token" ? "user" : purpose === "service_token" ? "service" : "api",
    id: claims.jti,
    ...(typeof claims.name === "string" ? { name: claims.name } : {}),
    ...(typeof claims.exp === "number" ? { expiresAt: claims.exp } : {}),
  });
  return c.json({
    status: "ok",
    revoked: "token",
    id: claims.jti,
    provider_revoked: providerRevoked,
  });
}

async function createApiToken(core: Core, c: Context): Promise<Response> {
  const request = await managerBody(core, c, ["name", "capabilities", "expires_in"]);
  if (request instanceof Response) return request;
  const { caller, body } = request;
  let name: string, capabilities: string[];
  try {
    // API names are account names (`api:<name>`): one form, lowercase.
    name = stringField(body, "name").toLowerCase();
    capabilities = listField(body, "capabilities");
  } catch (error) {
    if (error instanceof FieldError) return errorResponse(400, "invalid_request", error.message);
    throw error;
  }
  if (!API_NAME.test(name)) {
    return errorResponse(
      400,
      "invalid_request",
      '"name" must be 1 to 64 letters, digits, ".", "_" or "-".',
    );
  }
  const expiresIn = body.expires_in;
  if (
    typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 1 ||
    expiresIn > MAX_TOKEN_LIFETIME
  ) {
    return errorResponse(
      400,
      "invalid_request",
      `"expires_in" must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME}.`,
    );
  }
  if (capabilities.length === 0) {
    return errorResponse(400, "invalid_request", '"capabilities" must not be empty.');
  }
  const unknown = unknownCapability(core, capabilities);
  if (unknown) return unknown;
  const beyond = await actingRefusal(core, caller.user, `API token ${name}`, capabilities);
  if (beyond) return beyond;
  const unique = [...new Set(capabilities)];
  const closure = new Set(unique.flatMap((cap) => [...core.caps.implied(cap)]));
  const id = randomId();
  const now = Math.floor(core.clock() / 1000);
  const { ttl, claims, parents } = lineage(core, caller.user, expiresIn);
  // The logins it is made under: it ends when the provider ends one of them.
  const gr = await core.grantsBehind(c, caller);
  if (gr instanceof Response) return gr;
  const token = await core.sealer.seal("api_token", {
    jti: id,
    email: `api:${name}`,
    name,
    caps: [...closure],
    ...claims,
    ...(gr.length > 0 ? { gr } : {}),
  }, { ttl });
  const record: ApiTokenRecord = {
    id,
    name,
    capabilities: unique,
    expires_at: now + ttl,
    created_by: caller.user.email,
    created_at: now,
    ...(parents ? { parents } : {}),
  };
  await core.revocations.addApiToken(record);
  await recordMint(core, c, caller, `api:${name}`, {
    kind: "api",
    id,
    name,
    capabilities: unique,
    issuedAt: now,
    expiresAt: now + ttl,
  });
  return c.json({ api_token: token, ...record }, 200, NO_STORE);
}
