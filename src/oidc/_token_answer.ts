/**
 * What a token answer (code exchange or refresh) says of its holder: the ID
 * token's verified claims, completed by userinfo when needed.
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import type { JWTPayload } from "jose";
import { type Identity, identityOf, ProviderUnavailable, withUserinfo } from "./_checks.ts";
import { classifyUserinfoResponse } from "./_classify.ts";
import type { Provider } from "./_provider.ts";
import { NotAllowed, notAllowedReason } from "./_allowed.ts";
import { type JwtExpectations, JwtRefused } from "./_id_token.ts";

/**
 * The longest an answer of the provider is relied upon (seconds), whatever
 * its `expires_in`: every cached validation of a grant ends within it.
 */
export const LONGEST_ANSWER = 86_400;

/** The result of a code exchange or a refresh. */
export interface TokenResult {
  identity: Identity;
  /** The provider's refresh token, when it gave one (a new one when it rotates them). */
  refreshToken?: string | undefined;
  /** The ID token, for `id_token_hint` at logout. */
  idToken?: string | undefined;
  /** The provider's session id (the ID token's `sid`), for back-channel logout. */
  sid?: string | undefined;
  /** Until when (epoch ms) the answer may be relied upon (the access token's lifetime). */
  expiresAt: number;
}

/**
 * What a flow makes of an answer it refuses: the OAuth error code, when the
 * provider sent one, and whether the provider's word ends the grant.
 */
export type Refused = (message: string, code?: string, ended?: boolean) => Error;

/** The code given to `Refused` when userinfo names another subject (OIDC Core §5.3.2): the grant ends. */
export const SUBJECT_MISMATCH = "subject_mismatch";

/**
 * The identity of a token answer: the ID token's claims, completed by
 * userinfo when they carry no email (OIDC Core §5.4 lets a provider put scope
 * claims there only), whose `sub` must be the ID token's (§5.3.2).
 */
export async function tokenResult(
  provider: Provider,
  response: oauth.TokenEndpointResponse,
  refused: Refused,
  expectedSubject?: string,
): Promise<TokenResult> {
  let claims: JWTPayload | undefined;
  if (response.id_token) {
    claims = await verifyJwt(provider, response.id_token, "id_token").catch((error) => {
      if (error instanceof JwtRefused) {
        provider.log(`refused the identity provider's ID token: ${error.message}`);
      } else if (error instanceof ProviderUnavailable) throw error;
      throw refused("The ID token's signature or claims are invalid.");
    });
  }
  const subject = claims?.sub ?? expectedSubject;
  if (subject === undefined) throw refused("The identity provider sent no ID token.");
  if (typeof claims?.email !== "string") {
    const info = await userinfo(provider, response.access_token, subject, refused);
    claims = withUserinfo(claims, info, subject, (await provider.metadata()).issuer);
  }
  const lifetime = Math.min(Math.max(response.expires_in ?? 3600, 0), LONGEST_ANSWER);
  const identity = identityOf(claims, refused);
  const notAllowed = notAllowedReason(claims, provider.options.policy);
  if (notAllowed) {
    provider.log(`refused ${identity.email}: ${notAllowed}`);
    throw new NotAllowed("This account may not log in to this app.");
  }
  return {
    identity,
    refreshToken: response.refresh_token,
    ...(response.id_token ? { idToken: response.id_token } : {}),
    ...(typeof claims?.sid === "string" && claims.sid.length <= 255 ? { sid: claims.sid } : {}),
    expiresAt: provider.options.clock() + lifetime * 1000,
  };
}

/**
 * A JWT of the provider verified: an ID token (OIDC Core §3.1.3.7) or signed
 * userinfo (§5.3.2: `iss` and `aud` then required), each in the algorithms
 * discovery lists for it.
 */
async function verifyJwt(
  provider: Provider,
  jwt: string,
  kind: "id_token" | "userinfo",
): Promise<JWTPayload> {
  const discovered = await provider.discovered();
  if (!discovered.as.jwks_uri) throw new ProviderUnavailable("no jwks_uri");
  const expected: JwtExpectations = {
    issuer: discovered.issuer,
    audience: provider.options.clientId,
    algorithms: kind === "id_token" ? discovered.idTokenAlgorithms : discovered.userinfoAlgorithms,
    now: provider.options.clock(),
    clockTolerance: provider.tolerance,
    required: kind === "id_token" ? ["sub", "iat", "exp"] : ["sub", "iss", "aud"],
  };
  return await provider.verifier(discovered.as.jwks_uri).verify(jwt, expected);
}

/** Signed userinfo (`application/jwt`, OIDC Core §5.3.2) as the JSON answer its verified claims make. */
async function verifiedUserinfo(
  provider: Provider,
  response: Response,
  refused: Refused,
): Promise<Response> {
  const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/jwt") return response;
  const claims = await verifyJwt(provider, (await response.text()).trim(), "userinfo").catch(
    (error) => {
      if (error instanceof JwtRefused) {
        provider.log(`refused the identity provider's signed userinfo: ${error.message}`);
      } else if (error instanceof ProviderUnavailable) throw error;
      throw refused("The identity provider's userinfo answer is invalid.");
    },
  );
  return Response.json(claims);
}

async function userinfo(
  provider: Provider,
  accessToken: string,
  subject: string,
  refused: Refused,
): Promise<oauth.UserInfoResponse> {
  const as = await provider.metadata();
  if (!as.userinfo_endpoint) {
    throw refused('The identity provider sent no email (is the "email" scope requested?).');
  }
  const response = await oauth.userInfoRequest(
    as,
    provider.client(),
    accessToken,
    provider.requestOptions(),
  );
  classifyUserinfoResponse(response, refused);
  const answer = await verifiedUserinfo(provider, response, refused);
  return await oauth.processUserInfoResponse(as, provider.client(), subject, answer).catch(
    (error) => {
      // Another subject (OIDC Core §5.3.2) is the provider's word, not a glitch.
      if (
        error instanceof oauth.OperationProcessingError &&
        error.code === oauth.JSON_ATTRIBUTE_COMPARISON
      ) {
        throw refused(
          "The identity provider's userinfo names another person than its ID token.",
          SUBJECT_MISMATCH,
        );
      }
      throw refused("The identity provider's userinfo answer is invalid.");
    },
  );
}
