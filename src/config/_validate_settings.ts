// The checks of the top-level settings: the provider, the client, the secret
// key and force_user (the capabilities section has its own file).
import type { ForcedUser } from "../options.ts";
import { emailProblem } from "../_email.ts";
import { secretKeyProblem } from "../crypto/seal.ts";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../oidc/_client_auth.ts";
import { domainProblem, tenantProblem } from "../oidc/_allowed.ts";
import {
  checkHttpUrl,
  checkString,
  checkStringList,
  type ConfigPath,
  describe,
  isMapping,
  type Problems,
  UNCHECKED,
} from "./_checks.ts";
import type { Entry } from "./_entry.ts";

export const TOP_FIELDS = {
  serverMetadataUrl: "server_metadata_url",
  secretKey: "secret_key",
  clientId: "client_id",
  clientSecret: "client_secret",
  clientKwargs: "client_kwargs",
  capabilities: "capabilities",
  prefix: "prefix",
  forceUser: "force_user",
  baseUrl: "base_url",
  trustedOrigins: "trusted_origins",
  tokenEndpointAuthMethod: "token_endpoint_auth_method",
  providerLogout: "provider_logout",
  allowedDomains: "allowed_domains",
  allowedTenants: "allowed_tenants",
} as const;

export function readSecretKey(
  entry: Entry | undefined,
  problems: Problems,
) {
  if (!entry) {
    problems.add([TOP_FIELDS.secretKey], "is required");
    return undefined;
  }
  const { value, path } = entry;
  if (!Array.isArray(value)) {
    if (typeof value === "string" || value === UNCHECKED) {
      return checkSecretLength(value, path, problems);
    }
    problems.add(path, `must be a string or a list of strings, not ${describe(value)}`);
    return undefined;
  }
  if (value.length === 0) problems.add(path, "must not be an empty list");
  const before = problems.list.length;
  value.forEach((item, i) => {
    const text = checkString(item, [...path, i], problems);
    if (text !== undefined) checkSecretLength(text, [...path, i], problems);
  });
  return problems.list.length === before && !value.includes(UNCHECKED) ? value : undefined;
}

/** The strength the sealer demands, checked here too so that the error names the key. */
function checkSecretLength<T extends string | typeof UNCHECKED>(
  value: T,
  path: ConfigPath,
  problems: Problems,
): T | undefined {
  const problem = value === UNCHECKED ? undefined : secretKeyProblem(value);
  if (problem === undefined) return value;
  problems.add(path, problem);
  return undefined;
}

export function checkPrefix(entry: Entry | undefined, problems: Problems) {
  if (typeof entry?.value !== "string" || entry.value === "") return;
  // The same rule as OAuthManager's, so that the message can name the file and key.
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(entry.value)) {
    problems.add(
      entry.path,
      `must be "" or a plain path like "/api/v1", not ${JSON.stringify(entry.value)}`,
    );
  }
}

function readStringMap(
  entry: Entry | undefined,
  problems: Problems,
): Record<string, string> | undefined {
  if (!entry) return undefined;
  if (!isMapping(entry.value)) {
    problems.add(entry.path, `must be a mapping of strings, not ${describe(entry.value)}`);
    return undefined;
  }
  const before = problems.list.length;
  for (const [key, value] of Object.entries(entry.value)) {
    checkString(value, [...entry.path, key], problems);
  }
  return problems.list.length === before ? entry.value as Record<string, string> : undefined;
}

/**
 * `client_kwargs`, where Authlib also reads client settings:
 * `code_challenge_method` (only S256 is used) and `token_endpoint_auth_method`.
 */
export function readClientKwargs(entry: Entry | undefined, problems: Problems) {
  const kwargs = readStringMap(entry, problems);
  if (!kwargs || !entry) return kwargs;
  const pkce = kwargs.code_challenge_method;
  if (pkce !== undefined && pkce !== "S256") {
    problems.add(
      [...entry.path, "code_challenge_method"],
      `must be "S256" (the only PKCE method used), not ${JSON.stringify(pkce)}`,
    );
  }
  const method = kwargs.token_endpoint_auth_method;
  if (method !== undefined) {
    checkAuthMethod(method, [...entry.path, "token_endpoint_auth_method"], problems);
  }
  return kwargs;
}

export function checkAuthMethod(value: unknown, path: ConfigPath, problems: Problems) {
  const text = checkString(value, path, problems);
  if (
    typeof text !== "string" || (TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(text)
  ) {
    return text;
  }
  problems.add(
    path,
    `must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}, not ${JSON.stringify(text)}`,
  );
  return undefined;
}

export function readOrigins(entry: Entry | undefined, problems: Problems) {
  if (!entry) return undefined;
  const list = checkStringList(entry.value, entry.path, problems);
  if (!list) return undefined;
  const before = problems.list.length;
  list.forEach((origin, i) => checkHttpUrl(origin, [...entry.path, i], problems));
  return problems.list.length === before ? list : undefined;
}

/** `force_user`: an `email`, an optional `sub` and `name`, and any other claims (as upstream). */
export function readForceUser(
  entry: Entry | undefined,
  problems: Problems,
): ForcedUser | undefined {
  if (!entry || entry.value === null) return undefined;
  if (!isMapping(entry.value)) {
    problems.add(entry.path, `must be a mapping with an "email", not ${describe(entry.value)}`);
    return undefined;
  }
  const before = problems.list.length;
  const { email, ...claims } = entry.value;
  if (email === undefined) problems.add([...entry.path, "email"], "is required");
  else if (checkString(email, [...entry.path, "email"], problems) !== undefined) {
    const problem = emailProblem(email);
    if (problem) problems.add([...entry.path, "email"], `is not a valid email: it ${problem}`);
  }
  for (const name of ["sub", "name"]) {
    if (claims[name] !== undefined) checkString(claims[name], [...entry.path, name], problems);
  }
  return problems.list.length === before ? { ...claims, email: email as string } : undefined;
}

/** `allowed_domains` (email domains) or `allowed_tenants` (Entra ID tenant ids): a non-empty list. */
export function readAllowList(
  entry: Entry | undefined,
  kind: "domains" | "tenants",
  problems: Problems,
): string[] | undefined {
  if (!entry) return undefined;
  const list = checkStringList(entry.value, entry.path, problems);
  if (!list) return undefined;
  if (list.length === 0) problems.add(entry.path, "must list at least one entry (or be left out)");
  const before = problems.list.length;
  list.forEach((item, i) => {
    const problem = (kind === "domains" ? domainProblem : tenantProblem)(item);
    if (problem) problems.add([...entry.path, i], problem);
  });
  return problems.list.length === before ? list : undefined;
}
