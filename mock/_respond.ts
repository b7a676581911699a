// How the authorization endpoint answers the client: in the redirect's query
// (RFC 6749 §4.1.2) or as an auto-submitting form (OAuth 2.0 Form Post Response Mode).
import { NO_STORE, OAuthError, oauthErrorResponse } from "./_http.ts";

/** The response modes the mock supports, as its discovery document lists them. */
export const RESPONSE_MODES: readonly string[] = ["query", "form_post"];

/** How an authorization response travels back to the client. */
export type ResponseMode = "query" | "form_post";

/**
 * The `response_mode` asked for; `query` by default.
 *
 * @throws {OAuthError} `unsupported_response_mode` for another one (then answered in the query).
 */
export function responseMode(params: URLSearchParams): ResponseMode {
  const mode = params.get("response_mode") ?? "query";
  if (mode === "query" || mode === "form_post") return mode;
  throw new OAuthError(
    "unsupported_response_mode",
    `response_mode ${JSON.stringify(mode.slice(0, 32))} is not supported (query or form_post).`,
  );
}

/** The authorization response carrying `values` (those `undefined` left out) to `redirectUri`. */
export function respond(
  redirectUri: string,
  mode: ResponseMode,
  values: Record<string, string | undefined>,
): Response {
  const present = Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined);
  if (mode === "form_post") return formPost(redirectUri, present);
  const url = new URL(redirectUri);
  for (const [key, value] of present) url.searchParams.append(key, value);
  return new Response(null, { status: 302, headers: { ...NO_STORE, Location: url.href } });
}

/**
 * A page that POSTs `values` to `redirectUri` as soon as it loads (Form Post
 * Response Mode §2), with a button for browsers that run no script. Every value
 * is escaped: `state` comes from the client and could carry markup.
 */
function formPost(redirectUri: string, values: [string, string][]): Response {
  const inputs = values
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join("\n");
  const html = `<!doctype html>
<html><head><title>Submit this form</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="${escape(redirectUri)}">
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>`;
  return new Response(html, {
    status: 200,
    headers: { ...NO_STORE, "Content-Type": "text/html; charset=utf-8" },
  });
}

/**
 * An error shown where it happened instead of sent back to an unvalidated
 * redirect URI (RFC 6749 §4.1.2.1): a page for a browser, JSON for anything else.
 */
export function errorPage(request: Request, err: OAuthError): Response {
  if (!(request.headers.get("Accept") ?? "").includes("text/html")) return oauthErrorResponse(err);
  const html = `<!doctype html>
<html><head><title>Login error: ${escape(err.code)}</title></head>
<body><h1>The application's login request is invalid</h1>
<p><code>${escape(err.code)}</code>: ${escape(err.message)}</p>
<p>Nothing was sent back to the application.</p></body></html>`;
  return new Response(html, {
    status: err.status,
    headers: { ...NO_STORE, "Content-Type": "text/html; charset=utf-8" },
  });
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
