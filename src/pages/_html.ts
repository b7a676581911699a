// A tiny HTML renderer: every interpolated value is escaped unless it is
// already markup made by `html`. Hand-written because the pages are few and
// small; a template library would be a dependency for four pages.
import type { Context } from "hono";

const MARKUP = Symbol("easy-oauth html");

/** Markup made by {@link html}: inserted as is into another template. */
export interface Html {
  readonly [MARKUP]: string;
}

/** `text` with `& < > " '` escaped, safe in element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (typeof value === "object" && MARKUP in value) return (value as Html)[MARKUP];
  return escapeHtml(String(value));
}

/** A tagged template whose values are escaped (lists are joined, `false`/`null` vanish). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return { [MARKUP]: out };
}

/** Markup written in this module's source (a script, a style), never data: inserted as is. */
export function constant(markup: string): Html {
  return { [MARKUP]: markup };
}

/** The markup as a string. */
export function toString(markup: Html): string {
  return markup[MARKUP];
}

const STYLE = constant(
  `body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}code,textarea{font:14px ui-monospace,monospace}
textarea{width:100%;box-sizing:border-box;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:.5rem}
.actions a,.actions button{margin-right:1rem}button{font:inherit;padding:.3rem .8rem}
.muted{color:#666}`,
);

/**
 * A whole page as a response: no caching, not framed, no referrer to other
 * sites (a page's URL may hold a one-time code), scripts only with the page's nonce.
 */
export function pageResponse(
  status: number,
  title: string,
  body: Html,
  options: { nonce?: string; headers?: Record<string, string>; anyFormTarget?: boolean } = {},
): Response {
  const script = options.nonce ? `'nonce-${options.nonce}'` : "'none'";
  // Chromium applies form-action to the redirects after a submission too: a
  // form that leads to the provider cannot be limited to 'self'.
  const forms = options.anyFormTarget ? "" : "; form-action 'self'";
  const page = html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${title}</title>
        <style>${STYLE}</style>
      </head>
      <body>${body}</body>
    </html>
  `;
  return new Response(page[MARKUP], {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy":
        `default-src 'none'; style-src 'unsafe-inline'; script-src ${script}; ` +
        `base-uri 'none'; frame-ancestors 'none'${forms}`,
      // Not "no-referrer": Chromium would then send "Origin: null" with the
      // page's own forms, and same-origin checks would refuse them.
      "Referrer-Policy": "same-origin",
      "X-Content-Type-Options": "nosniff",
      ...options.headers,
    },
  });
}

/**
 * `page` answered through `c`, so that the cookies set on `c` (a cleared login
 * state, a taken handover) go with it; a page sets no cookie of its own.
 */
export async function throughContext(c: Context, page: Response): Promise<Response> {
  const status = page.status as 200;
  return c.body(await page.text(), status, Object.fromEntries(page.headers));
}

/** A fresh nonce for a page's inline script. */
export function scriptNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Whether the client asks for HTML rather than JSON: `text/html` is in its
 * `Accept` header with a weight at least that of `application/json`, as a
 * browser's navigation sends it. `fetch` (`*\/*`) and curl get JSON.
 */
export function wantsHtml(c: Context): boolean {
  const accept = c.req.header("accept");
  if (!accept || !accept.includes("text/html")) return false;
  let htmlWeight = 0, jsonWeight = 0;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q ? Number(q.slice(2)) || 0 : 1;
    if (type.trim() === "text/html") htmlWeight = Math.max(htmlWeight, weight);
    if (type.trim() === "application/json") jsonWeight = Math.max(jsonWeight, weight);
  }
  return htmlWeight > 0 && htmlWeight >= jsonWeight;
}
