/**
 * What a token answer (code exchange or refresh) says of its holder: the ID
 * token's verified claims, completed by userinfo when needed.
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import type { JWTPayload } from "jose";
import {
  type Identity,
  identityOf,
  ProviderUnavailable,
  TokenRefused,
  withUserinfo,
} from "./_checks.ts";
import { classifyUserinfoResponse } from "./_classify.ts";
import type { Provider } from "./_provider.ts";

/** The result of a code exchange or a refresh. */
export interface TokenResult {
  identity: Identity;
  /** The provider's refresh token, when it gave one (a new one when it rotates them). */
  refreshToken?: string | undefined;
  /** The ID token, for `id_token_hint` at logout. */
  idToken?: string | undefined;
  /** Until when (epoch ms) the answer may be relied upon (the access token's lifetime). */
  expiresAt: number;
}

/** What a flow makes of an answer it refuses (the OAuth error code, when the provider sent one). */
export type Refused = (message: string, code?: string) => Error;

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
    claims = await verifyIdToken(provider, response.id_token).catch((error) => {
      if (error instanceof ProviderUnavailable) throw error;
      throw refused("The ID token's signature or claims are invalid.");
    });
  }
  const subject = claims?.sub ?? expectedSubject;
  if (subject === undefined) throw refused("The identity provider sent no ID token.");
  if (typeof claims?.email !== "string") {
    const info = await userinfo(provider, response.access_token, subject, refused);
    claims = withUserinfo(claims, info, subject, (await provider.metadata()).issuer);
  }
  const lifetime = Math.min(Math.max(response.expires_in ?? 3600, 0), 86_400);
  return {
    identity: identityOf(claims, refused),
    refreshToken: response.refresh_token,
    ...(response.id_token ? { idToken: response.id_token } : {}),
    expiresAt: provider.options.clock() + lifetime * 1000,
  };
}

async function verifyIdToken(provider: Provider, idToken: string): Promise<JWTPayload> {
  const as = await provider.metadata();
  if (!as.jwks_uri) throw new ProviderUnavailable("no jwks_uri");
  return await provider.verifier(as.jwks_uri).verify(idToken, {
    issuer: as.issuer,
    audience: provider.options.clientId,
    now: provider.options.clock(),
    clockTolerance: provider.tolerance,
  });
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
  return await oauth.processUserInfoResponse(as, provider.client(), subject, response).catch(
    (error) => {
      // Another subject (OIDC Core §5.3.2) is the provider's word, not a glitch.
      if (
        error instanceof oauth.OperationProcessingError &&
        error.code === oauth.JSON_ATTRIBUTE_COMPARISON
      ) {
        throw new TokenRefused("userinfo names another subject than the token's");
      }
      throw refused("The identity provider's userinfo answer is invalid.");
    },
  );
}
