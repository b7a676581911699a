// Validation of OAuthManager's options, once, at construction (TypeError naming the option).
import { CapabilitySet } from "./capabilities/capabilities.ts";
import { base64UrlEncode } from "./config/fernet.ts";
import type { OAuthUser } from "./env.ts";
import type { FetchFunction } from "./http/http.ts";
import { canonicalEmail, emailProblem } from "./_email.ts";
import {
  CLOCK_TOLERANCE,
  expectedIssuer,
  isLoopback,
  type TokenEndpointAuthMethod,
} from "./oidc/client.ts";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "./oidc/_client_auth.ts";
import { domainProblem, type LoginPolicy, tenantProblem } from "./oidc/_allowed.ts";
import type { OAuthManagerOptions } from "./options.ts";
import type { Context } from "hono";
import { peerAddress } from "./http/client_address.ts";
import { USER_TOKEN_TTL } from "./credentials/tokens.ts";
import type { TokenStore } from "./stores/token_store.ts";
import { tokenStore } from "./stores/token_store_option.ts";
import { type AuditSettings, auditSettings } from "./audit/settings.ts";

/** The options after validation, with defaults applied. */
export interface ValidatedOptions {
  serverMetadataUrl: string;
  secretKey: string | readonly string[];
  clientId: string;
  clientSecret?: string | undefined;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  clientKwargs: Readonly<Record<string, string>>;
  providerLogout: boolean;
  providerLogoutUrl?: string;
  /** `allowedDomains` and `allowedTenants`, lower-cased. */
  policy: LoginPolicy;
  capabilities: CapabilitySet;
  prefix: string;
  /** The user of every request in `forceUser` mode. */
  forceUser?: OAuthUser | undefined;
  clock: () => number;
  baseUrl?: string | undefined;
  trustedOrigins: readonly string[];
  fetch: FetchFunction;
  clockTolerance: number;
  tokenStore: TokenStore;
  /** A path of the app or an absolute URL; undefined for `{prefix}/token/whoami`. */
  tokenCheckUrl?: string | undefined;
  headlessTokenLifetime: number;
  clientAddress: (c: Context) => string | undefined;
  log: (message: string) => void;
  audit: AuditSettings;
}

/** The default lifetime of a token minted through a headless login, in seconds (30 days). */
export const HEADLESS_TOKEN_LIFETIME = 30 * 24 * 3600;

/** Parameters the manager sets itself: `clientKwargs` may not override them. */
const RESERVED = new Set([
  "client_id",
  "redirect_uri",
  "response_type",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
]);

function fail(option: string, problem: string): never {
  throw new TypeError(`"${option}" ${problem}`);
}

function optionalString(
  options: OAuthManagerOptions,
  key: keyof OAuthManagerOptions,
): string | undefined {
  const value = options[key];
  if (value !== undefined && (typeof value !== "string" || value === "")) {
    fail(key, "must be a non-empty string");
  }
  return value as string | undefined;
}

function origin(option: string, value: unknown): string {
  if (typeof value !== "string") fail(option, "must be a string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(option, `must be an absolute URL, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    fail(option, "must be an http(s) origin");
  }
  return url.origin;
}

/** Keys of `clientKwargs` that Authlib reads as client settings, not request parameters. */
const CLIENT_SETTINGS = new Set(["code_challenge_method", "token_endpoint_auth_method"]);

function clientKwargs(value: unknown): Record<string, string> {
  if (value === undefined) return { scope: "openid email" };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail("clientKwargs", "must be an object of strings");
  }
  const result: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") fail(`clientKwargs.${key}`, "must be a string");
    if (CLIENT_SETTINGS.has(key)) continue;
    if (RESERVED.has(key)) {
      fail(`clientKwargs.${key}`, "is set by OAuthManager and cannot be overridden");
    }
    result[key] = v;
  }
  return result;
}

/**
 * `tokenEndpointAuthMethod`, or Authlib's `clientKwargs.token_endpoint_auth_method`;
 * and `clientKwargs.code_challenge_method`, which must name the one method used.
 */
function authMethod(options: OAuthManagerOptions): TokenEndpointAuthMethod | undefined {
  const kwargs = (options.clientKwargs ?? {}) as Record<string, unknown>;
  const pkce = kwargs.code_challenge_method;
  if (pkce !== undefined && pkce !== "S256") {
    fail("clientKwargs.code_challenge_method", 'must be "S256" (the only PKCE method used)');
  }
  const direct = options.tokenEndpointAuthMethod;
  const kwarg = kwargs.token_endpoint_auth_method;
  if (direct !== undefined && kwarg !== undefined && direct !== kwarg) {
    fail("tokenEndpointAuthMethod", "and clientKwargs.token_endpoint_auth_method disagree");
  }
  const method = direct ?? kwarg;
  const option = direct !== undefined
    ? "tokenEndpointAuthMethod"
    : "clientKwargs.token_endpoint_auth_method";
  if (method === undefined) return undefined;
  if (!TOKEN_ENDPOINT_AUTH_METHODS.includes(method as TokenEndpointAuthMethod)) {
    fail(option, `must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}`);
  }
  if (method !== "none" && !options.clientSecret && options.forceUser === undefined) {
    fail(option, `"${method}" needs clientSecret`);
  }
  return method as TokenEndpointAuthMethod;
}

/** A non-empty list whose entries `problem` accepts, lower-cased; `undefined` when not given. */
function allowList(
  option: string,
  value: unknown,
  problem: (entry: unknown) => string | null,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(option, "must be a list of strings");
  if (value.length === 0) fail(option, "must list at least one entry (or be left out)");
  value.forEach((entry, i) => {
    const found = problem(entry);
    if (found) fail(`${option}[${i}]`, found);
  });
  return value.map((entry: string) => entry.toLowerCase());
}

function policy(options: OAuthManagerOptions): LoginPolicy {
  const allowedDomains = allowList("allowedDomains", options.allowedDomains, domainProblem);
  const allowedTenants = allowList("allowedTenants", options.allowedTenants, tenantProblem);
  return {
    ...(allowedDomains ? { allowedDomains } : {}),
    ...(allowedTenants ? { allowedTenants } : {}),
  };
}

function prefix(value: unknown): string {
  if (value === undefined || value === "") return "";
  if (typeof value !== "string") fail("prefix", "must be a string");
  if (!value.startsWith("/")) fail("prefix", 'must start with "/"');
  if (value.endsWith("/")) fail("prefix", 'must not end with "/"');
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) fail("prefix", "must be a plain path like /api/v1");
  return value;
}

/** Validates `options`; throws a TypeError naming the first bad option. */
export function validateOptions(options: OAuthManagerOptions): ValidatedOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError("OAuthManager needs an options object");
  }
  const forceUser = forcedUser(options.forceUser);
  const log = options.log ?? ((message: string) => console.warn(message));
  const serverMetadataUrl = optionalString(options, "serverMetadataUrl");
  const clientId = optionalString(options, "clientId");
  if (forceUser === undefined) {
    if (!serverMetadataUrl) fail("serverMetadataUrl", "is required (or set forceUser)");
    if (!clientId) fail("clientId", "is required (or set forceUser)");
    try {
      expectedIssuer(serverMetadataUrl);
    } catch (error) {
      if (error instanceof TypeError && error.message.startsWith('"')) throw error;
      fail(
        "serverMetadataUrl",
        `must be an absolute URL, not ${JSON.stringify(serverMetadataUrl)}`,
      );
    }
  }
  if (options.clock !== undefined && typeof options.clock !== "function") {
    fail("clock", "must be a function");
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    fail("fetch", "must be a function");
  }
  const tolerance = options.clockTolerance ?? CLOCK_TOLERANCE;
  if (typeof tolerance !== "number" || !(tolerance >= 0 && tolerance <= 3600)) {
    fail("clockTolerance", "must be a number of seconds from 0 to 3600");
  }
  const trusted = options.trustedOrigins ?? [];
  if (!Array.isArray(trusted)) fail("trustedOrigins", "must be a list of origins");
  if (options.capabilities === undefined) fail("capabilities", "is required");
  if (options.log !== undefined && typeof options.log !== "function") {
    fail("log", "must be a function");
  }
  if (options.providerLogout !== undefined && typeof options.providerLogout !== "boolean") {
    fail("providerLogout", "must be a boolean");
  }
  const headlessLifetime = options.headlessTokenLifetime ?? HEADLESS_TOKEN_LIFETIME;
  if (
    typeof headlessLifetime !== "number" || !Number.isInteger(headlessLifetime) ||
    headlessLifetime < 60 || headlessLifetime > USER_TOKEN_TTL
  ) {
    fail("headlessTokenLifetime", `must be a whole number of seconds from 60 to ${USER_TOKEN_TTL}`);
  }
  if (options.clientAddress !== undefined && typeof options.clientAddress !== "function") {
    fail("clientAddress", "must be a function");
  }
  const logoutUrl = providerLogoutUrl(options.providerLogoutUrl);
  let secretKey = options.secretKey;
  if (secretKey === undefined) {
    if (!forceUser) fail("secretKey", "is required (or set forceUser)");
    // As upstream: development needs no secret, at the price of sessions that die with the process.
    secretKey = base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
    log(
      "easy-oauth: no secretKey: using a random one made for this process; " +
        "sessions and tokens will not survive a restart",
    );
  }
  const capabilities = options.capabilities instanceof CapabilitySet
    ? options.capabilities
    : new CapabilitySet(options.capabilities);
  const store = tokenStore(options.tokenStore, capabilities.store, options.clock ?? Date.now, log);
  return {
    serverMetadataUrl: serverMetadataUrl ?? "",
    secretKey,
    clientId: clientId ?? "",
    clientSecret: optionalString(options, "clientSecret"),
    tokenEndpointAuthMethod: authMethod(options),
    clientKwargs: clientKwargs(options.clientKwargs),
    providerLogout: options.providerLogout === true,
    ...(logoutUrl ? { providerLogoutUrl: logoutUrl } : {}),
    policy: policy(options),
    capabilities,
    prefix: prefix(options.prefix),
    forceUser,
    clock: options.clock ?? Date.now,
    baseUrl: options.baseUrl === undefined ? undefined : origin("baseUrl", options.baseUrl),
    trustedOrigins: trusted.map((o, i) => origin(`trustedOrigins[${i}]`, o)),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clockTolerance: tolerance,
    tokenStore: store,
    tokenCheckUrl: tokenCheckUrl(optionalString(options, "tokenCheckUrl")),
    headlessTokenLifetime: headlessLifetime,
    clientAddress: options.clientAddress ?? peerAddress,
    log,
    audit: auditSettings(options, store, options.clock ?? Date.now),
  };
}

/** An https URL (http on loopback only), without fragment. */
function providerLogoutUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !URL.canParse(value)) {
    fail("providerLogoutUrl", "must be an absolute URL");
  }
  const url = new URL(value);
  const secure = url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url));
  if (!secure) fail("providerLogoutUrl", "must use https (http is allowed on loopback only)");
  if (url.hash || url.username || url.password) {
    fail("providerLogoutUrl", "must have no fragment and no credentials");
  }
  return url.href;
}

/** The user of `forceUser` mode: `sub` defaults to the email, every claim is kept. */
function forcedUser(given: unknown): OAuthUser | undefined {
  if (given === undefined) return undefined;
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    fail("forceUser", "must be an object with an email");
  }
  const { email, sub = email, name } = given as Record<string, unknown>;
  const problem = emailProblem(email);
  if (problem) fail("forceUser.email", problem);
  if (typeof sub !== "string" || sub === "") fail("forceUser.sub", "must be a non-empty string");
  if (name !== undefined && typeof name !== "string") fail("forceUser.name", "must be a string");
  return {
    email: canonicalEmail(email as string),
    kind: "forced",
    sub,
    ...(name === undefined ? {} : { name }),
    claims: Object.freeze({ ...given, sub }),
  };
}

/** A path of the app (`/…`, not `//…`) or an absolute http(s) URL. */
function tokenCheckUrl(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  if (given.startsWith("/") && !given.startsWith("//") && !given.includes("\\")) return given;
  if (URL.canParse(given) && /^https?:$/.test(new URL(given).protocol)) return given;
  fail(
    "tokenCheckUrl",
    `must be a path of the app ("/…") or an http(s) URL, not ${JSON.stringify(given)}`,
  );
}
