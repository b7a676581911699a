// Turns a parsed configuration (snake_case keys as in the Python package's
// files, or camelCase) into `OAuthManagerOptions`, recording every problem
// with the path of the offending key.
import type { OAuthManagerOptions } from "../options.ts";
import {
  checkBoolean,
  checkHttpUrl,
  checkString,
  describe,
  isMapping,
  type Problems,
  readSection,
  UNCHECKED,
} from "./_checks.ts";
import { field } from "./_entry.ts";
import { readCapabilities, type ValidateContext } from "./_validate_capabilities.ts";
import {
  checkAuthMethod,
  checkPrefix,
  readAllowList,
  readClientKwargs,
  readForceUser,
  readOrigins,
  readSecretKey,
  TOP_FIELDS,
} from "./_validate_settings.ts";

/**
 * Validates a whole configuration (encrypted values already opened or marked
 * `UNCHECKED`). Returns the options when there was no problem.
 */
export function validateConfig(
  raw: unknown,
  context: ValidateContext,
  problems: Problems,
): OAuthManagerOptions | undefined {
  if (!isMapping(raw)) {
    problems.add([], `must be a mapping of settings, not ${describe(raw)}`);
    return undefined;
  }
  const before = problems.list.length;
  const top = readSection(raw, TOP_FIELDS, [], problems);
  const options: Record<string, unknown> = {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined && value !== UNCHECKED) options[name] = value;
  };

  const forceUser = readForceUser(field(top, "forceUser", []), problems);
  set("forceUser", forceUser);
  const forced = (top.get("forceUser")?.value ?? null) !== null;
  for (const name of ["serverMetadataUrl", "clientId"] as const) {
    if (!top.has(name) && !forced) {
      problems.add([TOP_FIELDS[name]], "is required (unless force_user is set)");
    }
  }
  // With force_user no provider is used: upstream's own configuration says "n/a".
  const metadata = field(top, "serverMetadataUrl", []);
  if (metadata && !forced) {
    set("serverMetadataUrl", checkHttpUrl(metadata.value, metadata.path, problems));
  }
  const secretKey = field(top, "secretKey", []);
  if (secretKey || !forced) set("secretKey", readSecretKey(secretKey, problems));
  for (const name of ["clientId", "clientSecret", "prefix"] as const) {
    const entry = field(top, name, []);
    const text = entry && checkString(entry.value, entry.path, problems);
    if (text === "" && name !== "prefix") problems.add(entry!.path, "must not be empty");
    else set(name, text);
  }
  checkPrefix(field(top, "prefix", []), problems);
  set("clientKwargs", readClientKwargs(field(top, "clientKwargs", []), problems));
  const method = field(top, "tokenEndpointAuthMethod", []);
  if (method) set("tokenEndpointAuthMethod", checkAuthMethod(method.value, method.path, problems));
  const logout = field(top, "providerLogout", []);
  if (logout) set("providerLogout", checkBoolean(logout.value, logout.path, problems));
  const baseUrl = field(top, "baseUrl", []);
  if (baseUrl) set("baseUrl", checkHttpUrl(baseUrl.value, baseUrl.path, problems));
  set("trustedOrigins", readOrigins(field(top, "trustedOrigins", []), problems));
  set("allowedDomains", readAllowList(field(top, "allowedDomains", []), "domains", problems));
  set("allowedTenants", readAllowList(field(top, "allowedTenants", []), "tenants", problems));
  set("capabilities", readCapabilities(field(top, "capabilities", []), context, problems));
  return problems.list.length === before ? options as unknown as OAuthManagerOptions : undefined;
}
