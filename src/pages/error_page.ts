/**
 * The HTML pages for people (the `pages/` folder: error pages here, the token
 * page, the headless pages, all rendered by the escaping renderer of
 * `_html.ts`), imported by the routes; they import nothing of the module.
 *
 * Error pages for people: 400/401/403 answers as HTML when the client asks for it.
 *
 * @module
 */
import type { Context } from "hono";
import { html, pageResponse, wantsHtml } from "./_html.ts";

/** The statuses that get a page; the others keep their JSON body for everyone. */
const FOR_PEOPLE: Readonly<Record<number, string>> = {
  400: "This request could not be completed",
  401: "You are not logged in",
  403: "You are not allowed to see this",
};

/**
 * `response` as a page when it is a JSON 400/401/403 and the client asks for
 * HTML, with links to log in (401, 400) or to log in as someone else (403) and
 * come back; otherwise `response` itself. The status and the headers (such as
 * `WWW-Authenticate`) are kept.
 */
export async function forPeople(
  c: Context,
  response: Response,
  loginPath: string,
): Promise<Response> {
  const title = FOR_PEOPLE[response.status];
  if (title === undefined || !wantsHtml(c)) return response;
  if (!response.headers.get("content-type")?.startsWith("application/json")) return response;
  const { error, detail } = await response.clone().json() as { error?: string; detail?: string };
  const back = returnPath(c, loginPath);
  const login = `${loginPath}?${new URLSearchParams({ next: back })}`;
  const switchUser = `${loginPath}?${new URLSearchParams({
    next: back,
    prompt: "select_account",
  })}`;
  // A refusal of this user: someone else may hold the capability. A missing or
  // stale login: log in. Anything else (a cross-site request): nothing to log in for.
  const links = error === "forbidden"
    ? html`<a href="${switchUser}" id="switch-user">Log in as someone else</a>`
    : response.status !== 403
    ? html`<a href="${login}" id="log-in">Log in</a>`
    : null;
  // Set by the middleware when it knows who is calling.
  const email: unknown = c.get("email" as never);
  const who = typeof email === "string" && response.status === 403
    ? html`<p id="who">You are logged in as <strong>${email}</strong>.</p>`
    : null;
  const body = html`<h1>${title}</h1>
<p id="detail">${detail ?? ""}</p>${who}
<p class="muted">Error <code>${error ?? "unknown"}</code> (HTTP ${response.status})</p>
<p class="actions">${links}<a href="/">Home</a></p>`;
  const headers: Record<string, string> = {};
  const challenge = response.headers.get("www-authenticate");
  if (challenge) headers["WWW-Authenticate"] = challenge;
  return pageResponse(response.status, title, body, { headers });
}

/** Where a login from this page comes back: this page when it was a plain GET of ours. */
function returnPath(c: Context, loginPath: string): string {
  const url = new URL(c.req.url);
  const base = loginPath.slice(0, -"/login".length);
  const callback = [`${base}/login`, `${base}/auth`, `${base}/token`].includes(url.pathname);
  if (c.req.method !== "GET" || callback) return "/";
  return url.pathname + url.search;
}
