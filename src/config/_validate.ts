// Turns a parsed configuration (snake_case keys as in the Python package's
// files, or camelCase) into `OAuthManagerOptions`, recording every problem
// with the path of the offending key.
import { resolve } from "node:path";
import type { ForcedUser, OAuthManagerOptions } from "../options.ts";
import type { CapabilitySetOptions } from "../capabilities/options.ts";
import { ADMIN, graphProblems, unknownCapability } from "../capabilities/graph.ts";
import { emailProblem } from "../_email.ts";
import { MIN_SECRET_LENGTH, SECRET_COMMAND } from "../crypto/seal.ts";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../oidc/_client_auth.ts";
import {
  checkBoolean,
  checkHttpUrl,
  checkString,
  checkStringList,
  type ConfigPath,
  describe,
  isMapping,
  type Problems,
  readSection,
  UNCHECKED,
} from "./_checks.ts";

const TOP_FIELDS = {
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
} as const;

const CAPABILITY_FIELDS = {
  graph: "graph",
  autoAdmin: "auto_admin",
  userFile: "user_file",
  userOverrides: "user_overrides",
  defaultCapabilities: "default_capabilities",
  guestCapabilities: "guest_capabilities",
} as const;

/** Where relative paths (`user_file`) start. */
export interface ValidateContext {
  readonly baseDir: string;
}

type Section = ReturnType<typeof readSection>;
/** A value and where it sits. */
type Entry = { value: unknown; path: ConfigPath };

/** The value at `name` (with its path) when present. */
function field(section: Section, name: string, path: ConfigPath): Entry | undefined {
  const entry = section.get(name);
  return entry && { value: entry.value, path: [...path, entry.key] };
}

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
  set("capabilities", readCapabilities(field(top, "capabilities", []), context, problems));
  return problems.list.length === before ? options as unknown as OAuthManagerOptions : undefined;
}

function readSecretKey(
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

/** The length the sealer demands, checked here too so that the error names the key. */
function checkSecretLength<T extends string | typeof UNCHECKED>(
  value: T,
  path: ConfigPath,
  problems: Problems,
): T | undefined {
  if (value === UNCHECKED || value.length >= MIN_SECRET_LENGTH) return value;
  problems.add(
    path,
    `must be at least ${MIN_SECRET_LENGTH} characters long, not ${value.length} ` +
      `(generate one with: ${SECRET_COMMAND})`,
  );
  return undefined;
}

function checkPrefix(entry: Entry | undefined, problems: Problems) {
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
function readClientKwargs(entry: Entry | undefined, problems: Problems) {
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

function checkAuthMethod(value: unknown, path: ConfigPath, problems: Problems) {
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

function readOrigins(entry: Entry | undefined, problems: Problems) {
  if (!entry) return undefined;
  const list = checkStringList(entry.value, entry.path, problems);
  if (!list) return undefined;
  const before = problems.list.length;
  list.forEach((origin, i) => checkHttpUrl(origin, [...entry.path, i], problems));
  return problems.list.length === before ? list : undefined;
}

/** `force_user`: an `email`, an optional `sub` and `name`, and any other claims (as upstream). */
function readForceUser(
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

function readCapabilities(
  entry: Entry | undefined,
  context: ValidateContext,
  problems: Problems,
): CapabilitySetOptions | undefined {
  if (!entry) return { graph: {} };
  if (!isMapping(entry.value)) {
    problems.add(entry.path, `must be a mapping, not ${describe(entry.value)}`);
    return undefined;
  }
  const before = problems.list.length;
  const section = readSection(entry.value, CAPABILITY_FIELDS, entry.path, problems);
  const get = (name: string) => field(section, name, entry.path);
  const autoAdminEntry = get("autoAdmin");
  const autoAdmin = autoAdminEntry
    ? checkBoolean(autoAdminEntry.value, autoAdminEntry.path, problems)
    : undefined;
  const graphEntry = get("graph") ?? { value: {}, path: [...entry.path, "graph"] };
  // CapabilitySet's default: an admin capability unless auto_admin is false.
  for (const { path, message } of graphProblems(graphEntry.value, autoAdmin ?? true)) {
    problems.add([...graphEntry.path, ...path], message);
  }
  const graph = graphEntry.value as Record<string, string[]>;
  const names = new Set(isMapping(graph) ? Object.keys(graph) : []);
  if (autoAdmin ?? true) names.add(ADMIN);
  const options: Record<string, unknown> = { graph };
  if (autoAdmin !== undefined) options.autoAdmin = autoAdmin;
  for (const name of ["defaultCapabilities", "guestCapabilities"]) {
    const list = get(name);
    if (!list) continue;
    options[name] = readNames(list.value, list.path, names, problems);
  }
  const userFile = get("userFile");
  if (userFile) {
    const file = checkString(userFile.value, userFile.path, problems);
    if (typeof file === "string") options.userFile = resolve(context.baseDir, file);
  }
  const overrides = get("userOverrides");
  if (overrides) options.userOverrides = readOverrides(overrides, names, problems);
  return problems.list.length === before ? options as unknown as CapabilitySetOptions : undefined;
}

function readNames(
  value: unknown,
  path: ConfigPath,
  names: ReadonlySet<string>,
  problems: Problems,
): string[] | undefined {
  const list = checkStringList(value, path, problems, "a list of capability names");
  for (const name of list ?? []) {
    if (!names.has(name)) problems.add(path, unknownCapability(name, names));
  }
  return list;
}

function readOverrides(
  entry: Entry,
  names: ReadonlySet<string>,
  problems: Problems,
): Record<string, string[]> | undefined {
  if (!isMapping(entry.value)) {
    problems.add(
      entry.path,
      `must be a mapping of emails to capability lists, not ${describe(entry.value)}`,
    );
    return undefined;
  }
  const overrides: Record<string, string[]> = {};
  for (const [email, list] of Object.entries(entry.value)) {
    const path = [...entry.path, email];
    const problem = emailProblem(email);
    if (problem) problems.add(path, `is not a valid email: it ${problem}`);
    const caps = readNames(list, path, names, problems);
    if (caps) overrides[email] = caps;
  }
  return overrides;
}
