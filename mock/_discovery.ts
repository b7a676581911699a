// The OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2).
import { SIGNING_ALG } from "./_keys.ts";
import { RESPONSE_MODES } from "./_respond.ts";

/** The scopes the mock knows; others are ignored, and left out of the granted scope. */
export const SCOPES: readonly string[] = ["openid", "email", "profile", "offline_access"];

/** The claims every ID token and userinfo answer carry. */
export const CLAIMS: readonly string[] = [
  "iss",
  "sub",
  "aud",
  "azp",
  "iat",
  "exp",
  "auth_time",
  "nonce",
  "email",
  "email_verified",
  "name",
  "given_name",
  "family_name",
  "picture",
];

/** The endpoints' paths, relative to the issuer. */
export const PATHS = {
  discovery: "/.well-known/openid-configuration",
  authorization: "/oauth2/auth",
  token: "/oauth2/token",
  userinfo: "/oauth2/userinfo",
  jwks: "/oauth2/certs",
  revocation: "/oauth2/revoke",
  setEmail: "/set_email",
  health: "/health",
} as const;

/** What `GET /` answers: a short description of the server, as upstream's mock gives. */
export function describeServer(issuer: string, email: string): Record<string, unknown> {
  return {
    name: "easy-oauth mock OpenID provider",
    issuer,
    email,
    endpoints: Object.fromEntries(
      Object.entries(PATHS).map(([name, path]) => [name, issuer + path]),
    ),
    set_email: `curl -X POST -d email=someone@example.com ${issuer}${PATHS.setEmail}`,
  };
}

/** The discovery document of a provider whose issuer is `issuer`. */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: issuer + PATHS.authorization,
    token_endpoint: issuer + PATHS.token,
    userinfo_endpoint: issuer + PATHS.userinfo,
    jwks_uri: issuer + PATHS.jwks,
    revocation_endpoint: issuer + PATHS.revocation,
    response_types_supported: ["code"],
    response_modes_supported: RESPONSE_MODES,
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    code_challenge_methods_supported: ["S256"],
    scopes_supported: SCOPES,
    grant_types_supported: ["authorization_code", "refresh_token"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    claims_supported: CLAIMS,
    // RFC 9207: the authorization response names its issuer, against mix-up attacks.
    authorization_response_iss_parameter_supported: true,
    // Said explicitly: request_uri_parameter_supported defaults to true (Discovery 1.0 §3).
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}
