// The client's address as the server that runs the app saw it, read from
// what each runtime's server hands Hono in `c.env` (no `Deno.*` or `Bun.*`).
import type { Context } from "hono";

/**
 * The address of the peer that sent the request, from what the server gave
 * Hono: `Deno.serve`'s handler info (`remoteAddr.hostname`), `Bun.serve`'s
 * server (`requestIP`), or `@hono/node-server`'s socket; `undefined` when none
 * says (`app.request()`, other servers). Behind a proxy this is the proxy:
 * then set the `clientAddress` option.
 */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as Record<string, unknown> | undefined;
  if (env === null || typeof env !== "object") return undefined;
  try {
    const remote = (env.remoteAddr as { hostname?: unknown } | undefined)?.hostname;
    if (typeof remote === "string") return remote;
    const requestIP = env.requestIP;
    if (typeof requestIP === "function") {
      const address = (requestIP.call(env, c.req.raw) as { address?: unknown } | null)?.address;
      if (typeof address === "string") return address;
    }
    const incoming = env.incoming as { socket?: { remoteAddress?: unknown } } | undefined;
    const socket = incoming?.socket?.remoteAddress;
    if (typeof socket === "string") return socket;
  } catch {
    // A server object that does not work as expected says nothing.
  }
  return undefined;
}
