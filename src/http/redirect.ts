// Where to send the browser after login: same-origin paths only (RFC 9700 §4.11).

const BASE = "http://same-origin.invalid";
const MAX_PATH = 2048;

/**
 * Returns a same-origin path (`/a/b?c#d`) for `target`, else `fallback`.
 * Refuses absolute and scheme-relative URLs (`https://x`, `//x`, `/\x`),
 * `javascript:` and other schemes, encoded variants of those, and control
 * characters (CR/LF). What is returned is the URL parser's normalization of
 * `target` (dot segments resolved, non-ASCII percent-encoded), and it is that
 * result which is checked: `/..//evil.com` normalizes to `//evil.com`.
 */
export function safeReturnPath(target: unknown, fallback = "/"): string {
  if (!isSafePath(target)) return fallback;
  const url = new URL(target, BASE);
  const path = url.pathname + url.search + url.hash;
  return url.origin === BASE && isSafePath(path) ? path : fallback;
}

/** Whether `path` is a path that a browser resolves on the current origin, encoded or not. */
function isSafePath(path: unknown): path is string {
  if (typeof path !== "string" || path.length === 0 || path.length > MAX_PATH) return false;
  if (!path.startsWith("/") || hasOtherOrigin(path)) return false;
  let decoded = path;
  try {
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
      decoded = decodeURIComponent(decoded);
      if (hasOtherOrigin(decoded)) return false;
    }
  } catch {
    return false;
  }
  return true;
}

function hasOtherOrigin(path: string): boolean {
  // deno-lint-ignore no-control-regex
  return /^\/[\\/]|^[^/]|[\u0000-\u001f\u007f\\]/.test(path);
}
