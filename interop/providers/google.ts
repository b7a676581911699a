// Google's OpenID Connect, as its documentation describes it: the discovery
// document at https://accounts.google.com/.well-known/openid-configuration
// (issuer `https://accounts.google.com`, keys at googleapis.com, RS256 only,
// no end_session_endpoint), ID tokens whose `iss` is `https://accounts.google.com`
// or `accounts.google.com`, and, for Google Workspace accounts, the `hd`
// claim naming the hosted domain (absent for consumer accounts).
import { emulate, type Emulation, type Person } from "./_emulator.ts";

export const GOOGLE_ISSUER = "https://accounts.google.com";

export const GOOGLE_DISCOVERY: Record<string, unknown> = {
  issuer: GOOGLE_ISSUER,
  authorization_endpoint: "https://accounts.google.com/o/oauth2/v2/auth",
  device_authorization_endpoint: "https://oauth2.googleapis.com/device/code",
  token_endpoint: "https://oauth2.googleapis.com/token",
  userinfo_endpoint: "https://openidconnect.googleapis.com/v1/userinfo",
  revocation_endpoint: "https://oauth2.googleapis.com/revoke",
  jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
  response_types_supported: [
    "code",
    "token",
    "id_token",
    "code token",
    "code id_token",
    "token id_token",
    "code token id_token",
    "none",
  ],
  subject_types_supported: ["public"],
  id_token_signing_alg_values_supported: ["RS256"],
  scopes_supported: ["openid", "email", "profile"],
  token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
  claims_supported: [
    "aud",
    "email",
    "email_verified",
    "exp",
    "family_name",
    "given_name",
    "iat",
    "iss",
    "name",
    "picture",
    "sub",
  ],
  code_challenge_methods_supported: ["plain", "S256"],
  grant_types_supported: [
    "authorization_code",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
  ],
};

export const CLIENT_ID = "1234567890-abcdefghijklmnop.apps.googleusercontent.com";
export const CLIENT_SECRET = "GOCSPX-google-client-secret-0123";

/** A Google account; `hd` for a Google Workspace one. */
export function googlePerson(email: string, hd?: string): Person {
  return {
    sub: String(100_000_000_000_000_000_000n + BigInt(email.length)),
    email,
    claims: { email_verified: true, azp: CLIENT_ID, ...(hd ? { hd } : {}) },
  };
}

/** Google; its ID tokens spell their `iss` as `spelling` says. */
export async function emulateGoogle(): Promise<
  Emulation & { metadataUrl: string; spelling: string }
> {
  const metadataUrl = `${GOOGLE_ISSUER}/.well-known/openid-configuration`;
  const google: Emulation & { metadataUrl: string; spelling: string } = Object.assign(
    await emulate({
      metadataUrl,
      discovery: GOOGLE_DISCOVERY,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      issuerOf: (): string => google.spelling,
    }),
    { metadataUrl, spelling: GOOGLE_ISSUER },
  );
  return google;
}
