// The answer to a cross-site request for a token: another site may navigate a
// browser to GET /token or GET /login?redirect=token (a top-level navigation
// carries the Lax session cookie, and a login's callback mints), so a token is
// minted only for the app's own pages or a typed URL.
import type { Context } from "hono";
import { html } from "hono/html";
import type { Core } from "../_core.ts";
import { errorResponse } from "../http/http.ts";

/**
 * A 403: for a browser navigation, a minimal page whose link repeats the
 * request from this origin (then it is same-origin); for anything else, JSON.
 * The page cannot be framed, so that another site cannot overlay the link.
 */
export function confirmationPage(core: Core, c: Context, route = "/token"): Response {
  const navigation = c.req.header("sec-fetch-mode") === "navigate" ||
    (c.req.header("accept") ?? "").includes("text/html");
  if (!navigation) {
    return errorResponse(
      403,
      "cross_site_request",
      "Another site cannot ask for a token; open this address yourself.",
    );
  }
  // hono/html escapes every interpolated value.
  const target = core.path(route) + new URL(c.req.url).search;
  const page = html`
    <!doctype html>
    <meta charset="utf-8">
    <title>Create a token?</title>
    <p>Another site sent you here to create a token for your account.</p>
    <p><a href="${target}">Create the token</a> only if you meant to.</p>
  `;
  return new Response(String(page), {
    status: 403,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
      "X-Frame-Options": "DENY",
    },
  });
}
