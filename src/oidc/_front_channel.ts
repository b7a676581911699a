// The URLs the browser is sent to at the provider: the authorization request
// and, with `providerLogout`, the end-session request.
import * as oauth from "oauth4webapi";
import { ProviderUnavailable } from "./_checks.ts";

/** What an authorization request carries besides the client id. */
export interface AuthorizationParams {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  extra: Readonly<Record<string, string>>;
  offline: boolean;
  loginHint?: string | undefined;
}

/** What an end-session request carries besides the client id. */
export interface EndSessionParams {
  idTokenHint?: string | undefined;
  postLogoutRedirectUri: string;
}

/** The authorization request URL (PKCE S256, state, nonce; RFC 7636 §4.3, OIDC Core §3.1.2.1). */
export async function authorizationUrl(
  as: oauth.AuthorizationServer,
  clientId: string,
  params: AuthorizationParams,
): Promise<URL> {
  if (!as.authorization_endpoint) throw new ProviderUnavailable("no authorization_endpoint");
  const url = new URL(as.authorization_endpoint);
  const scope = new Set((params.extra.scope ?? "openid email").split(/\s+/).filter(Boolean));
  scope.add("openid");
  for (const [key, value] of Object.entries(params.extra)) url.searchParams.set(key, value);
  if (params.offline) {
    if (as.scopes_supported?.includes("offline_access")) scope.add("offline_access");
    // Google's way of asking for a refresh token.
    url.searchParams.set("access_type", "offline");
    url.searchParams.set("prompt", "consent");
  }
  url.searchParams.set("scope", [...scope].join(" "));
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", params.redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("state", params.state);
  url.searchParams.set("nonce", params.nonce);
  url.searchParams.set(
    "code_challenge",
    await oauth.calculatePKCECodeChallenge(params.codeVerifier),
  );
  url.searchParams.set("code_challenge_method", "S256");
  if (params.loginHint) url.searchParams.set("login_hint", params.loginHint);
  return url;
}

/**
 * The end-session URL (OpenID Connect RP-Initiated Logout 1.0 §2): the
 * provider's `end_session_endpoint`, else `configured` (a logout URL outside
 * discovery, such as Auth0's `/v2/logout`, which names the return URL
 * `returnTo`); `undefined` when there is neither.
 */
export function endSessionUrl(
  as: oauth.AuthorizationServer,
  clientId: string,
  params: EndSessionParams,
  configured?: string,
): URL | undefined {
  const endpoint = as.end_session_endpoint ?? configured;
  if (!endpoint) return undefined;
  const url = new URL(endpoint);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("post_logout_redirect_uri", params.postLogoutRedirectUri);
  if (!as.end_session_endpoint) url.searchParams.set("returnTo", params.postLogoutRedirectUri);
  if (params.idTokenHint) url.searchParams.set("id_token_hint", params.idTokenHint);
  return url;
}
