/**
 * The HTTP layer every route shares (the `http/` folder): JSON error responses
 * `{"error", "detail"}`, bounded JSON bodies that refuse a key given twice
 * (`_json_keys.ts`), a byte limit that holds for chunked bodies (`body.ts`), the
 * cross-site checks of state-changing routes, and same-origin return paths
 * (`redirect.ts`). It imports nothing of the module above `errors.ts`.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody, ErrorCode } from "../errors.ts";
import { readAtMost } from "./body.ts";
import { duplicateKey } from "./_json_keys.ts";

/**
 * The `fetch` the module calls the provider with: a call signature of its own
 * rather than `typeof fetch`, whose declaration differs between runtimes (Bun's
 * has `preconnect`), so that `globalThis.fetch` of either runtime, or a stub, fits.
 *
 * @example
 * ```ts
 * import type { FetchFunction } from "@easy-oauth/hono";
 * const logged: FetchFunction = (input, init) => {
 *   console.log("provider call", String(input instanceof Request ? input.url : input));
 *   return fetch(input, init);
 * };
 * ```
 */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** The body limit of the management routes (a chunked body is counted as it streams). */
export const MAX_JSON_BODY = 64 * 1024;

/** Headers for answers that carry tokens: never cached (RFC 6749 §5.1). */
export const NO_STORE = { "Cache-Control": "no-store" } as const;

/** A JSON error response `{"error", "detail"}`. */
export function errorResponse(
  status: ContentfulStatusCode,
  error: ErrorCode,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { error, detail };
  return Response.json(body, {
    status,
    headers: { ...NO_STORE, ...headers },
  });
}

/** The longest `error_description` put in a header. */
const MAX_DESCRIPTION = 200;

/**
 * Text made safe for an auth-param's quoted string: only the characters
 * RFC 6750 §3 allows in `error_description` (printable ASCII but `"` and `\`),
 * others replaced by `?`, and cut short. Whatever a provider sends, building
 * the header cannot throw and cannot add a header line.
 */
export function headerText(text: string, max = MAX_DESCRIPTION): string {
  const safe = text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/gu, "?");
  return safe.length > max ? `${safe.slice(0, max - 3)}...` : safe;
}

/** A 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). */
export function unauthorized(detail: string, invalidToken = false): Response {
  const challenge = invalidToken
    ? `Bearer error="invalid_token", error_description="${headerText(detail)}"`
    : "Bearer";
  return errorResponse(401, invalidToken ? "invalid_token" : "unauthenticated", detail, {
    "WWW-Authenticate": challenge,
  });
}

/**
 * Reads a JSON object body: `application/json` only (415), at most `limit`
 * bytes however it is sent (413), well-formed (400).
 */
export async function readJsonObject(
  c: Context,
  limit = MAX_JSON_BODY,
): Promise<Record<string, unknown> | Response> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    return errorResponse(415, "unsupported_media_type", "The body must be application/json.");
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limit) return tooLarge(limit);
  const bytes = await readAtMost(c.req.raw.body, limit);
  if (bytes === null) return tooLarge(limit);
  try {
    const text = new TextDecoder().decode(bytes);
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const twice = duplicateKey(text);
      if (twice === undefined) return value as Record<string, unknown>;
      return errorResponse(
        400,
        "invalid_request",
        `The field ${JSON.stringify(twice.slice(0, 64))} is given twice.`,
      );
    }
  } catch {
    // fall through to the same answer as for a non-object
  }
  return errorResponse(400, "invalid_request", "The body must be a JSON object.");
}

function tooLarge(limit: number): Response {
  return errorResponse(413, "payload_too_large", `The body must be at most ${limit} bytes.`);
}

/**
 * Whether a cookie-authenticated, state-changing request comes from one of
 * `origins` (CSRF defence): a present `Origin` must be listed, and
 * `Sec-Fetch-Site` must not say cross-site. Non-browser clients send neither.
 */
export function isSameOriginRequest(c: Context, origins: ReadonlySet<string>): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = c.req.header("origin");
  return origin === undefined || origins.has(origin);
}
