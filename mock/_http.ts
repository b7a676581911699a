// Request parsing and OAuth-shaped error answers shared by the mock's endpoints.

/**
 * An OAuth error code (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; RFC 7009 §2.2.1;
 * OpenID Connect Core §3.1.2.6).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "invalid_scope"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "unsupported_response_mode"
  | "request_not_supported"
  | "request_uri_not_supported"
  | "invalid_token"
  | "insufficient_scope"
  | "login_required"
  | "not_found"
  | "cross_site_request"
  | "server_error";

/** A request-time failure, thrown by parsers and answered by {@link oauthErrorResponse}. */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    code: OAuthErrorCode,
    description: string,
    status = 400,
    headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = "OAuthError";
    this.code = code;
    this.status = status;
    this.headers = headers;
  }
}

/** Headers every answer carrying a token or an error about one must have (RFC 6749 §5.1). */
export const NO_STORE = { "Cache-Control": "no-store", "Pragma": "no-cache" } as const;

/** The RFC 6749 §5.2 JSON body: `{"error": ..., "error_description": ...}`. */
export function oauthErrorResponse(err: OAuthError): Response {
  return Response.json(
    { error: err.code, error_description: err.message },
    { status: err.status, headers: { ...NO_STORE, ...err.headers } },
  );
}

/** A 401 `invalid_client` (RFC 6749 §5.2: with a challenge for the scheme the client may use). */
export function invalidClient(description: string): OAuthError {
  return new OAuthError("invalid_client", description, 401, {
    "WWW-Authenticate": 'Basic realm="mock"',
  });
}

/**
 * The body of a POST as form parameters. Anything but
 * `application/x-www-form-urlencoded` is refused, as is a repeated parameter
 * (RFC 6749 §3.1: parameters must not appear more than once).
 */
export async function formParams(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError(
      "invalid_request",
      "The body must be application/x-www-form-urlencoded.",
    );
  }
  const params = new URLSearchParams(await request.text());
  rejectRepeated(params);
  return params;
}

/** Throws `invalid_request` when a parameter appears more than once. */
export function rejectRepeated(params: URLSearchParams): void {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) {
      throw new OAuthError("invalid_request", `The "${key}" parameter appears more than once.`);
    }
    seen.add(key);
  }
}

/** A required, non-empty parameter, or `invalid_request`. */
export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === "") {
    throw new OAuthError("invalid_request", `The "${name}" parameter is missing.`);
  }
  return value;
}

/** The token of an `Authorization: Bearer` header, scheme case-insensitive (RFC 6750 §2.1). */
export function bearerToken(request: Request): string | undefined {
  const match = /^\s*bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(
    request.headers.get("Authorization") ?? "",
  );
  return match?.[1];
}
