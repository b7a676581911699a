// What an answer of the provider means, read from its HTTP status and its
// OAuth error (RFC 6749 §5.2), not from which exception a library threw:
// a provider that fails is unavailable (retry later), one that refuses our
// credentials is misconfigured (fix the configuration), one that refuses the
// grant or token is a refusal (4xx to the caller).
import { ProviderMisconfigured, ProviderUnavailable } from "./_checks.ts";
import { isStatedIssuer } from "./_issuer.ts";

/** OAuth errors that blame the client's registration, not the grant. */
const CLIENT_ERRORS = new Set(["invalid_client", "unauthorized_client"]);
/**
 * The OAuth errors of RFC 6749 §5.2 that refuse a request. Any other code
 * (`temporarily_unavailable`, `server_error`, a provider's own such as
 * `too_many_requests`) is not a refusal we understand: an outage.
 */
const REFUSALS = new Set([
  "invalid_request",
  "invalid_grant",
  "unsupported_grant_type",
  "invalid_scope",
]);

/** Shown in messages: an OAuth error code is a short ASCII word; anything else is not repeated. */
function safeCode(code: unknown): string {
  return typeof code === "string" && /^[\x20-\x7e]{1,64}$/.test(code) && !/["\\]/.test(code)
    ? code
    : "unknown";
}

async function jsonOf(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await response.clone().json();
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks an answer of the token endpoint before oauth4webapi reads it.
 * @throws {ProviderUnavailable} On a 5xx, a 429, an answer that is not OAuth
 *   JSON, or an OAuth error that is not a refusal of RFC 6749 §5.2.
 * @throws {ProviderMisconfigured} On `invalid_client` / `unauthorized_client`.
 * @throws The error made by `refused` (with the code) on a refusal.
 */
export async function classifyTokenResponse(
  response: Response,
  what: string,
  refused: (message: string, code: string) => Error,
): Promise<void> {
  const body = await jsonOf(response);
  if (response.status === 200) {
    if (typeof body?.access_token !== "string") {
      throw new ProviderUnavailable(`the ${what} answered 200 without an access token`);
    }
    return;
  }
  const error = body?.error;
  if (error === "redirect_uri_mismatch") {
    // Google's answer when the redirect URI is not registered for the client.
    throw new ProviderMisconfigured(
      `the identity provider rejects the redirect_uri at the ${what} (redirect_uri_mismatch): ` +
        "register the app's /auth and /token URLs exactly as browsers reach them " +
        "(set baseUrl behind a proxy)",
    );
  }
  if (
    CLIENT_ERRORS.has(error as string) ||
    (response.status === 401 && error === undefined)
  ) {
    throw new ProviderMisconfigured(
      `the identity provider refused the client credentials at the ${what} ` +
        `(${response.status} ${safeCode(error ?? "invalid_client")}): ` +
        "check clientId, clientSecret and tokenEndpointAuthMethod",
    );
  }
  if (response.status >= 500 || response.status === 429 || !REFUSALS.has(error as string)) {
    const code = typeof error === "string" ? ` (${safeCode(error)})` : "";
    throw new ProviderUnavailable(`the ${what} answered ${response.status}${code}`);
  }
  throw refused(`The identity provider refused the grant ("${error}").`, error as string);
}

/**
 * Checks an answer of the userinfo endpoint (OIDC Core §5.3.3): a 401 with
 * `invalid_token` is a refusal, any other failure an outage.
 */
export function classifyUserinfoResponse(
  response: Response,
  refused: (message: string) => Error,
): void {
  if (response.status === 200) return;
  if (response.status === 401 || response.status === 403) {
    throw refused("The identity provider refused the access token at userinfo.");
  }
  throw new ProviderUnavailable(`the userinfo endpoint answered ${response.status}`);
}

/**
 * Checks a discovery answer: reachable, JSON, and stating exactly the expected
 * issuer (RFC 8414 §3.3) or one of its documented exceptions (Entra ID's
 * multi-tenant template, see `_issuer.ts`).
 * @returns The issuer as stated.
 */
export async function classifyDiscovery(
  response: Response,
  expected: URL,
  metadataUrl: string,
): Promise<string> {
  if (response.status !== 200) {
    throw new ProviderUnavailable(`the discovery document answered ${response.status}`);
  }
  const body = await jsonOf(response);
  if (!body) throw new ProviderUnavailable("the discovery document is not a JSON object");
  const issuer = body.issuer;
  if (typeof issuer !== "string") return expected.href;
  if (!isStatedIssuer(issuer, expected)) {
    throw new ProviderMisconfigured(
      `the discovery document at ${metadataUrl} states the issuer ${
        JSON.stringify(issuer.slice(0, 200))
      }, ` +
        `expected ${JSON.stringify(expected.href.replace(/\/$/, ""))}: set serverMetadataUrl to ` +
        "the issuer's own /.well-known/openid-configuration",
    );
  }
  return issuer;
}
