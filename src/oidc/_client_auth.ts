// How the app authenticates to the provider's token and revocation endpoints.
import * as oauth from "oauth4webapi";

/**
 * The client authentication methods this module supports at the token
 * endpoint (OIDC Core §9; RFC 6749 §2.3.1).
 *
 * @example
 * ```ts
 * import type { TokenEndpointAuthMethod } from "@easy-oauth/hono";
 * const method: TokenEndpointAuthMethod = "client_secret_post";
 * ```
 */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** The methods, for validation. */
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "none",
];

// RFC 6749 §2.3.1 form-urlencodes the id and secret before Basic; oauth4webapi
// also escapes RFC 3986's unreserved "-", ".", "_", "~", which Google compares
// without decoding: it answers invalid_client to `1234%2Dabc%2Eapps…`
// (honojs/middleware#1992). Escaping only what is not unreserved gives the same
// header as every provider's own examples and still parses everywhere.
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  ).replace(/%20/g, "+");
}

/** The `Authorization` header of `client_secret_basic`. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/**
 * The method to use: the configured one, else what discovery lists,
 * preferring basic (a provider that lists nothing supports basic, RFC 8414 §2).
 */
export function chooseAuthMethod(
  configured: TokenEndpointAuthMethod | undefined,
  hasSecret: boolean,
  as: oauth.AuthorizationServer,
): TokenEndpointAuthMethod {
  if (configured) return configured;
  if (!hasSecret) return "none";
  const methods = as.token_endpoint_auth_methods_supported;
  return methods && !methods.includes("client_secret_basic") &&
      methods.includes("client_secret_post")
    ? "client_secret_post"
    : "client_secret_basic";
}

/** The oauth4webapi client-authentication hook for `method`. */
export function clientAuth(
  method: TokenEndpointAuthMethod,
  clientSecret: string | undefined,
): oauth.ClientAuth {
  if (method === "none" || clientSecret === undefined) return oauth.None();
  if (method === "client_secret_post") return oauth.ClientSecretPost(clientSecret);
  return (_as, client, _body, headers) => {
    headers.set("authorization", basicAuthorization(client.client_id, clientSecret));
  };
}
