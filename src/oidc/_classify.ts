// What an answer of the provider means, read from its HTTP status and its
// OAuth error (RFC 6749 §5.2, OIDC Core §3.1.2.6), not from which exception a
// library threw: a provider that fails is unavailable (retry later), one that
// refuses our credentials is misconfigured (fix the configuration), one that
// ends the grant is a refusal (4xx: log in again).
import { ProviderMisconfigured, ProviderUnavailable } from "./_checks.ts";
import { isStatedIssuer } from "./_issuer.ts";

/**
 * A login whose offline access the provider refuses to this person or app
 * (Keycloak's `not_allowed`, "Offline tokens not allowed for the user or
 * client"): a 403 page naming the missing role, not an outage.
 */
export class OfflineNotAllowed extends Error {
  constructor() {
    super(
      "The identity provider does not allow offline access (long-lived tokens) to this " +
        "account or app. In Keycloak, the user needs the offline_access realm role " +
        '(a default role) and the client the "offline_access" optional client scope; ' +
        "ask the administrator.",
    );
    this.name = "OfflineNotAllowed";
  }
}

/** What an answer of the token endpoint means. */
export type Outcome =
  /** The provider refuses the request: the caller's flow decides (a 400 at login). */
  | "refused"
  /** The provider ended the grant: the person must log in again (401). */
  | "ended"
  /** The provider refuses this app's registration: 502 `provider_misconfigured`. */
  | "misconfigured"
  /** Offline access is not allowed to this person or app (Keycloak). */
  | "offline_not_allowed"
  /** The provider failed: 502/503 `provider_unavailable`, the grant stays. */
  | "unavailable";

/** One row of {@link TOKEN_ERRORS}: a status and/or OAuth error, and what they mean. */
export interface Rule {
  /** HTTP statuses the row matches (any when absent). */
  status?: (status: number) => boolean;
  /** OAuth `error` codes the row matches (any when absent; `null` for "no error code"). */
  errors?: readonly (string | null)[];
  outcome: Outcome;
  /** For "misconfigured": what the provider refuses, and what the administrator must check. */
  says?: string;
  check?: string;
}

const CLIENT = "refused the client credentials";
const CREDENTIALS = "check clientId, clientSecret and tokenEndpointAuthMethod";

/**
 * How a failed answer of the token endpoint is read, first matching row
 * first. Each row has its test in `_classify_test.ts`.
 */
export const TOKEN_ERRORS: readonly Rule[] = [
  // A failing or busy provider, whatever its body says.
  { status: (s) => s >= 500 || s === 429, outcome: "unavailable" },
  // Google's answer when the redirect URI is not registered for the client.
  {
    errors: ["redirect_uri_mismatch"],
    outcome: "misconfigured",
    says: "rejects the redirect_uri",
    check: "register the app's /auth and /token URLs exactly as browsers reach them " +
      "(set baseUrl behind a proxy)",
  },
  // RFC 6749 §5.2: the client's authentication or registration.
  {
    errors: ["invalid_client", "unauthorized_client"],
    outcome: "misconfigured",
    says: CLIENT,
    check: CREDENTIALS,
  },
  // Auth0 answers a wrong client secret with 401 access_denied; a bare 401 is the same.
  {
    status: (s) => s === 401,
    errors: ["access_denied", null],
    outcome: "misconfigured",
    says: CLIENT,
    check: CREDENTIALS,
  },
  // OIDC Core §3.1.2.6, answered at the token endpoint by Entra (Conditional
  // Access, MFA) and others: the person must come back through the login.
  {
    errors: [
      "invalid_grant",
      "interaction_required",
      "login_required",
      "consent_required",
      "account_selection_required",
    ],
    outcome: "ended",
  },
  // Keycloak: "Offline tokens not allowed for the user or client".
  { status: (s) => s === 400, errors: ["not_allowed"], outcome: "offline_not_allowed" },
  // The other refusals of RFC 6749 §5.2.
  {
    errors: ["invalid_request", "unsupported_grant_type", "invalid_scope"],
    outcome: "refused",
  },
  // Anything else (temporarily_unavailable, a provider's own code, a body
  // that is not OAuth JSON) is not a refusal we understand: an outage.
  { outcome: "unavailable" },
];

/** The row of {@link TOKEN_ERRORS} that an answer matches. */
export function classify(status: number, error: unknown): Rule {
  const code = typeof error === "string" ? error : null;
  return TOKEN_ERRORS.find((rule) =>
    (rule.status === undefined || rule.status(status)) &&
    (rule.errors === undefined || rule.errors.includes(code))
  )!;
}

/** Shown in messages: an OAuth error code is a short ASCII word; anything else is not repeated. */
export function safeCode(code: unknown): string {
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
 * @throws {ProviderUnavailable} On an "unavailable" answer (see {@link TOKEN_ERRORS}).
 * @throws {ProviderMisconfigured} On a "misconfigured" one, naming what to check.
 * @throws {OfflineNotAllowed} On Keycloak's `not_allowed`.
 * @throws The error made by `refused` (with the code and whether the grant
 *   ended) on a refusal.
 */
export async function classifyTokenResponse(
  response: Response,
  what: string,
  refused: (message: string, code: string, ended: boolean) => Error,
): Promise<void> {
  const body = await jsonOf(response);
  if (response.status === 200) {
    if (typeof body?.access_token !== "string") {
      throw new ProviderUnavailable(`the ${what} answered 200 without an access token`);
    }
    return;
  }
  const error = body?.error;
  const rule = classify(response.status, error);
  const code = safeCode(error ?? "none");
  switch (rule.outcome) {
    case "misconfigured":
      throw new ProviderMisconfigured(
        `the identity provider ${rule.says} at the ${what} ` +
          `(${response.status} ${code}): ${rule.check}`,
      );
    case "offline_not_allowed":
      throw new OfflineNotAllowed();
    case "ended":
      throw refused(
        `The identity provider ended this login (${code}); log in again.`,
        code,
        true,
      );
    case "refused":
      throw refused(`The identity provider refused the grant (${code}).`, code, false);
    default: {
      const shown = typeof error === "string" ? ` (${code})` : "";
      throw new ProviderUnavailable(`the ${what} answered ${response.status}${shown}`);
    }
  }
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
