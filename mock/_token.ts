// The token endpoint (RFC 6749 §4.1.3, §6) and the ID tokens it issues.
import { base64url } from "jose";
import type { TokenGrant } from "./_grants.ts";
import { formParams, NO_STORE, OAuthError, required } from "./_http.ts";
import { issuerOf, type MockState, nowSeconds } from "./_state.ts";

/** ID tokens live one hour, whatever the access token's lifetime. */
export const ID_TOKEN_TTL_SECONDS = 3600;

const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Answers a token request: the `authorization_code` and `refresh_token` grants. */
export async function token(state: MockState, request: Request): Promise<Response> {
  const params = await formParams(request);
  const client = state.clients.authenticate(request, params);
  const grantType = required(params, "grant_type");
  const issuer = issuerOf(state, request);
  if (grantType === "authorization_code") return await exchangeCode(state, params, client, issuer);
  if (grantType === "refresh_token") return await refresh(state, params, client, issuer);
  throw new OAuthError("unsupported_grant_type", `Grant type "${grantType}" is not supported.`);
}

async function exchangeCode(
  state: MockState,
  params: URLSearchParams,
  client: string,
  issuer: string,
): Promise<Response> {
  const code = required(params, "code");
  const redirectUri = required(params, "redirect_uri");
  const redeemed = state.grants.redeemCode(code);
  if (!redeemed.ok) {
    throw new OAuthError("invalid_grant", `The authorization code is ${redeemed.reason}.`);
  }
  const { grant, grantId } = redeemed;
  if (grant.clientId !== client) {
    throw new OAuthError("invalid_grant", "The authorization code was issued to another client.");
  }
  if (redirectUri !== grant.redirectUri) {
    throw new OAuthError(
      "invalid_grant",
      '"redirect_uri" differs from the one of the authorization request.',
    );
  }
  await checkPkce(grant.codeChallenge, params.get("code_verifier"));
  const tokenGrant: TokenGrant = {
    clientId: client,
    scope: grant.scope,
    identity: grant.identity,
    authTime: grant.authTime,
    grantId,
  };
  const refreshToken = grant.offline ? state.grants.issueRefreshToken(tokenGrant) : undefined;
  return await tokenResponse(state, issuer, tokenGrant, { nonce: grant.nonce, refreshToken });
}

/** RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the challenge. */
async function checkPkce(challenge: string | undefined, verifier: string | null): Promise<void> {
  if (challenge === undefined) {
    if (verifier !== null) {
      throw new OAuthError("invalid_grant", '"code_verifier" sent, but no "code_challenge" was.');
    }
    return;
  }
  if (verifier === null) throw new OAuthError("invalid_grant", '"code_verifier" is missing.');
  if (!PKCE_VERIFIER.test(verifier)) {
    throw new OAuthError("invalid_grant", '"code_verifier" is malformed.');
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  if (base64url.encode(new Uint8Array(digest)) !== challenge) {
    throw new OAuthError("invalid_grant", '"code_verifier" does not match "code_challenge".');
  }
}

/**
 * The refresh grant answers for the identity the refresh token was issued to,
 * and does not rotate it: like Google, no new `refresh_token`, the old one stays
 * valid. With the `rotateRefreshTokens` quirk, it answers a new one and the old
 * one stops working (RFC 9700 §4.14.2).
 */
async function refresh(
  state: MockState,
  params: URLSearchParams,
  client: string,
  issuer: string,
): Promise<Response> {
  const old = required(params, "refresh_token");
  const grant = state.grants.refreshToken(old);
  if (grant === undefined) {
    throw new OAuthError("invalid_grant", "The refresh token is unknown or revoked.");
  }
  if (grant.clientId !== client) {
    throw new OAuthError("invalid_grant", "The refresh token was issued to another client.");
  }
  const scope = narrowedScope(grant, params);
  const refreshToken = state.controls.quirks.rotateRefreshTokens
    ? state.grants.rotateRefreshToken(old, grant)
    : undefined;
  return await tokenResponse(state, issuer, { ...grant, scope }, { refreshToken });
}

/** RFC 6749 §6: a refresh may ask for fewer scopes, never for more. */
function narrowedScope(grant: TokenGrant, params: URLSearchParams): string {
  const asked = params.get("scope");
  if (asked === null) return grant.scope;
  const granted = grant.scope.split(" ");
  const scopes = asked.split(" ").filter((s) => s !== "");
  if (scopes.some((s) => !granted.includes(s))) {
    throw new OAuthError("invalid_scope", '"scope" asks for more than was granted.');
  }
  return granted.filter((s) => scopes.includes(s)).join(" ");
}

async function tokenResponse(
  state: MockState,
  issuer: string,
  grant: TokenGrant,
  extra: { nonce?: string | undefined; refreshToken?: string | undefined },
): Promise<Response> {
  const body: Record<string, string | number> = {
    access_token: state.grants.issueAccessToken(grant, state.accessTokenTtl * 1000),
    token_type: "Bearer",
    expires_in: state.accessTokenTtl,
    scope: grant.scope,
  };
  if (grant.scope.split(" ").includes("openid")) {
    body.id_token = await idToken(state, issuer, grant, extra.nonce);
  }
  if (extra.refreshToken !== undefined) body.refresh_token = extra.refreshToken;
  return Response.json(body, { headers: NO_STORE });
}

/**
 * An ID token per OpenID Connect Core §2, signed with the provider's key. It
 * always has `auth_time` (required when `max_age` was sent, and kept unchanged
 * on refresh, §12.2).
 */
function idToken(
  state: MockState,
  issuer: string,
  grant: TokenGrant,
  nonce: string | undefined,
): Promise<string> {
  const iat = nowSeconds(state);
  const { email, ...profile } = grant.identity;
  const { email_verified, ...claims } = state.controls.claimsOf(email, grant.identity);
  const emailClaims = state.controls.quirks.emailInUserinfoOnly ? {} : { email, email_verified };
  return state.signer.sign({
    ...profile,
    ...emailClaims,
    ...claims,
    iss: issuer,
    aud: grant.clientId,
    azp: grant.clientId,
    auth_time: grant.authTime,
    iat,
    exp: iat + ID_TOKEN_TTL_SECONDS,
    ...(nonce === undefined ? {} : { nonce }),
  });
}
