// Who may use the mock: any client (lenient, the default), or only registered
// clients, authenticated and redirected as a real provider does.
import { timingSafeEqual } from "../src/crypto/compare.ts";
import { invalidClient, OAuthError } from "./_http.ts";

/**
 * A client registered with the mock, as an app registers with a real provider.
 *
 * @example
 * ```ts
 * import type { MockClient } from "@easy-oauth/hono/mock";
 * const client: MockClient = {
 *   clientId: "my-app",
 *   clientSecret: "my-secret",
 *   redirectUris: ["http://127.0.0.1:8000/auth", "http://127.0.0.1:8000/token"],
 * };
 * ```
 */
export interface MockClient {
  /** The client id. */
  readonly clientId: string;
  /**
   * The client secret, sent with `client_secret_basic` or `client_secret_post`.
   * Without one the client is public (`none`): it sends its `client_id` only.
   */
  readonly clientSecret?: string | undefined;
  /** The exact redirect URIs the client may use (RFC 6749 §3.1.2.2, compared as strings). */
  readonly redirectUris: readonly string[];
}

/** How the endpoints check clients. */
export interface ClientCheck {
  /**
   * The id of the client that authenticated a token or revocation request.
   * @throws {OAuthError} `invalid_client` (401, with `WWW-Authenticate`).
   */
  authenticate(request: Request, params: URLSearchParams): string;
  /**
   * Checks an authorization request's client and redirect URI, before anything
   * is sent to that URI.
   * @throws {OAuthError} `invalid_request` (an error page, never a redirect).
   */
  checkRedirect(clientId: string, redirectUri: string): void;
}

/** The checks for `registered` clients; without any, every client id and secret passes. */
export function clientCheck(registered: readonly MockClient[] | undefined): ClientCheck {
  const clients = registered && new Map(registered.map((c) => [c.clientId, c]));
  return {
    authenticate(request, params) {
      const sent = credentials(request, params);
      if (clients === undefined) return sent.id;
      const client = clients.get(sent.id);
      // One message for both: a real provider does not say which client ids exist.
      const refused = () => invalidClient("Client authentication failed.");
      if (client === undefined) throw refused();
      if (client.clientSecret === undefined) {
        if (sent.secret !== undefined || sent.basic) throw refused();
      } else if (sent.secret === undefined || !timingSafeEqual(sent.secret, client.clientSecret)) {
        throw refused();
      }
      return client.clientId;
    },
    checkRedirect(clientId, redirectUri) {
      if (clients === undefined) {
        // Without registered clients, codes go to this machine only: never an open redirector.
        if (!isLoopback(new URL(redirectUri).hostname)) {
          throw new OAuthError(
            "invalid_request",
            'Without registered clients the mock redirects only to loopback addresses (localhost, 127.0.0.1, [::1]); register the client with its "redirectUris" to use another.',
          );
        }
        return;
      }
      const client = clients.get(clientId);
      if (client === undefined) {
        throw new OAuthError("invalid_request", `The client "${clientId}" is not registered.`);
      }
      if (!client.redirectUris.includes(redirectUri)) {
        throw new OAuthError(
          "invalid_request",
          `"redirect_uri" is not registered for the client "${clientId}".`,
        );
      }
    },
  };
}

/** Whether a URL's hostname is this machine (RFC 8252 §7.3). */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

interface Credentials {
  id: string;
  secret: string | undefined;
  /** Whether they came in an `Authorization: Basic` header. */
  basic: boolean;
}

/**
 * The credentials of a token or revocation request: `client_secret_basic` or
 * `client_secret_post`, never both at once (RFC 6749 §2.3), or a lone
 * `client_id` (a public client).
 */
function credentials(request: Request, params: URLSearchParams): Credentials {
  const basic = basicCredentials(request.headers.get("Authorization"));
  const posted = params.get("client_id") || undefined;
  if (basic === undefined) {
    if (posted === undefined) throw invalidClient("No client authentication was sent.");
    return { id: posted, secret: params.get("client_secret") ?? undefined, basic: false };
  }
  if (params.has("client_secret")) {
    throw new OAuthError("invalid_request", "Use one client authentication method, not two.");
  }
  if (posted !== undefined && posted !== basic.id) {
    throw invalidClient('"client_id" does not match the Basic credentials.');
  }
  return { ...basic, basic: true };
}

/** The credentials of an `Authorization: Basic` header (RFC 6749 §2.3.1), if there is one. */
function basicCredentials(header: string | null): { id: string; secret: string } | undefined {
  if (header === null) return undefined;
  const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() !== "basic") return undefined;
  let id: string;
  let secret: string;
  try {
    const decoded = atob(value);
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new Error("no colon");
    // RFC 6749 §2.3.1: both parts are form-encoded before base64.
    const unform = (text: string) => decodeURIComponent(text.replaceAll("+", " "));
    id = unform(decoded.slice(0, colon));
    secret = unform(decoded.slice(colon + 1));
  } catch {
    throw invalidClient("Malformed Basic credentials.");
  }
  if (id === "") throw invalidClient("The Basic credentials have no client id.");
  return { id, secret };
}
