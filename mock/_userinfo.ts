// The UserInfo endpoint (OpenID Connect Core §5.3), behind a Bearer access token.
import { bearerToken, NO_STORE, OAuthError } from "./_http.ts";
import type { MockState } from "./_state.ts";

/**
 * Answers `sub`, `email`, `email_verified`, `name`, `given_name`, `family_name`
 * and `picture` for a live access token.
 * The token is read from the `Authorization` header only: tokens do not belong
 * in URLs or bodies (RFC 6750 §2.1, §5.3).
 */
export function userinfo(state: MockState, request: Request): Response {
  const token = bearerToken(request);
  if (token === undefined) {
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
    throw new OAuthError("invalid_token", "No Bearer access token was sent.", 401, {
      "WWW-Authenticate": 'Bearer realm="mock"',
    });
  }
  const grant = state.grants.accessToken(token);
  if (grant === undefined) {
    const description = "The access token is unknown, expired or revoked.";
    throw new OAuthError("invalid_token", description, 401, {
      "WWW-Authenticate":
        `Bearer realm="mock", error="invalid_token", error_description="${description}"`,
    });
  }
  if (!grant.scope.split(" ").includes("openid")) {
    throw new OAuthError("insufficient_scope", 'The access token lacks the "openid" scope.', 403, {
      "WWW-Authenticate": 'Bearer realm="mock", error="insufficient_scope", scope="openid"',
    });
  }
  const claims = state.controls.claimsOf(grant.identity.email, grant.identity);
  return Response.json({ ...grant.identity, ...claims }, { headers: NO_STORE });
}
