// Where to send the browser after login: same-origin paths only (RFC 9700 §4.11).

/**
 * Returns `target` when it is a same-origin path (`/a/b?c#d`), else `fallback`.
 * Refuses absolute and scheme-relative URLs (`https://x`, `//x`, `/\x`),
 * `javascript:` and other schemes, encoded variants of those, and control
 * characters (CR/LF).
 */
export function safeReturnPath(target: unknown, fallback = "/"): string {
  if (typeof target !== "string" || target.length === 0 || target.length > 2048) return fallback;
  if (!target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) {
    return fallback;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  let decoded = target;
  try {
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
      decoded = decodeURIComponent(decoded);
    }
  } catch {
    return fallback;
  }
  // deno-lint-ignore no-control-regex
  if (decoded.startsWith("//") || /^\/[\\/]|[\u0000-\u001f\u007f]/.test(decoded)) return fallback;
  // The URL parser is the final word: the path must stay on the base origin.
  const base = "http://same-origin.invalid";
  const url = new URL(target, base);
  if (url.origin !== base) return fallback;
  return url.pathname + url.search + url.hash;
}
