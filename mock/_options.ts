// Validation of the mock provider's options, once, in the factory.
import { didYouMean } from "../src/capabilities/suggest.ts";
import type { MockClient } from "./_clients.ts";
import { isValidEmail } from "./_email.ts";

/** The options of `createMockProvider()`, checked and with defaults filled in. */
export interface ResolvedOptions {
  email: string;
  clock: () => number;
  issuer: string | undefined;
  accessTokenTtl: number;
  clients: readonly MockClient[] | undefined;
  loginPage: boolean;
}

const KNOWN = ["email", "clock", "issuer", "accessTokenTtl", "clients", "loginPage"];

/**
 * Checks the options of `createMockProvider()`.
 *
 * @throws {TypeError} naming the first bad option.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError("The mock provider's options must be an object.");
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) {
      throw new TypeError(`Unknown option "${key}"${didYouMean(key, KNOWN)}.`);
    }
  }
  const email = o.email ?? "test@example.com";
  if (!isValidEmail(email)) throw new TypeError('"email" must be an email address.');
  const clock = o.clock ?? Date.now;
  if (typeof clock !== "function") {
    throw new TypeError('"clock" must be a function returning epoch milliseconds.');
  }
  const ttl = o.accessTokenTtl ?? 3600;
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new TypeError('"accessTokenTtl" must be a positive whole number of seconds.');
  }
  const loginPage = o.loginPage ?? false;
  if (typeof loginPage !== "boolean") throw new TypeError('"loginPage" must be true or false.');
  return {
    loginPage,
    email,
    clock: clock as () => number,
    issuer: resolveIssuer(o.issuer),
    accessTokenTtl: ttl,
    clients: resolveClients(o.clients),
  };
}

/** Registered clients: unique ids, string secrets, absolute redirect URIs without fragment. */
function resolveClients(clients: unknown): readonly MockClient[] | undefined {
  if (clients === undefined) return undefined;
  if (!Array.isArray(clients)) throw new TypeError('"clients" must be a list of clients.');
  const seen = new Set<string>();
  return clients.map((client: unknown, i) => {
    const at = `"clients[${i}]`;
    if (typeof client !== "object" || client === null) {
      throw new TypeError(`${at}" must be an object.`);
    }
    const { clientId, clientSecret, redirectUris, ...rest } = client as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new TypeError(`${at}.${extra}" is not a client setting.`);
    if (typeof clientId !== "string" || clientId === "" || seen.has(clientId)) {
      throw new TypeError(`${at}.clientId" must be a non-empty string, unique among clients.`);
    }
    seen.add(clientId);
    if (clientSecret !== undefined && (typeof clientSecret !== "string" || clientSecret === "")) {
      throw new TypeError(`${at}.clientSecret" must be a non-empty string (or absent).`);
    }
    if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
      throw new TypeError(`${at}.redirectUris" must be a non-empty list of URLs.`);
    }
    redirectUris.forEach((uri: unknown, j) => {
      const url = typeof uri === "string" && URL.canParse(uri) ? new URL(uri) : undefined;
      if (!url || !/^https?:$/.test(url.protocol) || (uri as string).includes("#")) {
        throw new TypeError(`${at}.redirectUris[${j}]" must be an http(s) URL without fragment.`);
      }
    });
    return { clientId, clientSecret, redirectUris: [...redirectUris] as string[] };
  });
}

/** An issuer is an https or http URL without query or fragment (RFC 8414 §2). */
function resolveIssuer(issuer: unknown): string | undefined {
  if (issuer === undefined) return undefined;
  const message = '"issuer" must be an absolute http(s) URL without query or fragment.';
  if (typeof issuer !== "string" || !URL.canParse(issuer)) throw new TypeError(message);
  const url = new URL(issuer);
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") || issuer.includes("?") ||
    issuer.includes("#") || url.username !== "" || url.password !== ""
  ) {
    throw new TypeError(message);
  }
  // Endpoint URLs are the issuer plus a path: a trailing slash would double it.
  return url.href.replace(/\/+$/, "");
}
