// What the relying party checks besides protocol mechanics: the expected
// issuer, loopback-only http, the identity in the claims, and the errors.
import type { JWTPayload } from "jose";
import { ProviderUnavailable } from "./_fetch.ts";

export { ProviderUnavailable };

/** Who the provider says logged in. */
export interface Identity {
  email: string;
  sub: string;
  iss: string;
  name?: string | undefined;
}

/**
 * A login that cannot go on because of what the browser or the provider sent
 * (a 400 to the user): `access_denied`, an invalid or replayed code, etc.
 */
export class LoginError extends Error {
  readonly code: "access_denied" | "login_failed";
  constructor(code: "access_denied" | "login_failed", message: string) {
    super(message);
    this.name = "LoginError";
    this.code = code;
  }
}

/**
 * The provider refuses *our configuration* (the client credentials, the
 * issuer, a redirect URI): not an outage, and no retry will help. The message
 * says what to fix; it never holds a secret.
 */
export class ProviderMisconfigured extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderMisconfigured";
  }
}

/** The provider refused a refresh token (revoked, expired, unknown): a 401 to the caller. */
export class TokenRefused extends Error {
  constructor(message = "the identity provider refused the token") {
    super(message);
    this.name = "TokenRefused";
  }
}

const WELL_KNOWN = /\/\.well-known\/(openid-configuration|oauth-authorization-server)$/;

/**
 * The issuer that discovery at `serverMetadataUrl` must state exactly
 * (RFC 8414 §3.3).
 */
export function expectedIssuer(serverMetadataUrl: string): URL {
  const url = new URL(serverMetadataUrl);
  if (!WELL_KNOWN.test(url.pathname) || url.search || url.hash) {
    throw new TypeError(
      '"serverMetadataUrl" must end with /.well-known/openid-configuration',
    );
  }
  url.pathname = url.pathname.replace(WELL_KNOWN, "") || "/";
  return url;
}

/** Plain http is allowed for loopback providers only (the mock), never elsewhere. */
export function isLoopback(url: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) ||
    url.hostname.startsWith("127.");
}

/** The longest address SMTP can carry (RFC 5321 §4.5.3.1.3). */
const MAX_EMAIL = 254;
const SUBJECT_MAX = 255;
/** A provider's display name is cut to this many characters, once, for the session, grants and tokens. */
const MAX_NAME = 200;

/** `text` cut to `max` UTF-16 units, without leaving half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}
const CONTROL = /[\p{C}\s]/u;

/**
 * Why a provider's email cannot name an account, or `null`. Service accounts
 * (`name@service`) and API tokens (`api:name`) are ours: a provider that
 * asserts one must not log in as it.
 */
function providerEmailProblem(email: string): string | null {
  if (email.length > MAX_EMAIL) return `is longer than ${MAX_EMAIL} characters`;
  if (CONTROL.test(email)) return "contains whitespace or a control character";
  if (/^api:/i.test(email) || /@service$/i.test(email)) {
    return "names one of this app's own account kinds (api:… or …@service)";
  }
  return null;
}

/**
 * Keys capabilities by email: it must be there, and verified when the
 * provider says (`email_verified`, Entra ID's `xms_edov`; SECURITY.md).
 */
export function identityOf(claims: JWTPayload, refused: (message: string) => Error): Identity {
  const { email, sub, iss, name } = claims;
  if (typeof email !== "string" || !email) {
    throw refused('The identity provider sent no email (is the "email" scope requested?).');
  }
  const problem = providerEmailProblem(email);
  if (problem) throw refused(`The identity provider's email ${problem}.`);
  if (
    claims.email_verified !== undefined && claims.email_verified !== true &&
    claims.email_verified !== "true"
  ) {
    throw refused("The identity provider says this email is not verified.");
  }
  // Entra ID's word that the email's domain is not verified by its tenant
  // (Microsoft's guidance against the "nOAuth" impersonation).
  if (claims.xms_edov === false || claims.xms_edov === "false" || claims.xms_edov === 0) {
    throw refused("The identity provider says this email's domain is not verified by its tenant.");
  }
  if (typeof sub !== "string" || typeof iss !== "string") {
    throw refused("The ID token lacks sub or iss.");
  }
  if (sub.length > SUBJECT_MAX) throw refused(`The ID token's sub is longer than ${SUBJECT_MAX}.`);
  return { email, sub, iss, ...(typeof name === "string" ? { name: cut(name, MAX_NAME) } : {}) };
}

/**
 * ID-token claims completed from userinfo (OIDC Core §5.4): the email, its
 * verification and the name; `sub` was already matched (§5.3.2).
 */
export function withUserinfo(
  claims: JWTPayload | undefined,
  info: { email?: unknown; email_verified?: unknown; name?: unknown },
  subject: string,
  issuer: string,
): JWTPayload {
  const merged: JWTPayload = { iss: issuer, ...claims, sub: subject, email: info.email };
  if (info.email_verified !== undefined) merged.email_verified = info.email_verified;
  if (info.name !== undefined && merged.name === undefined) merged.name = info.name;
  return merged;
}
