// The token of a login through /token, handed over once: the callback seals it
// in a short-lived cookie and redirects to a clean /token, which shows it and
// clears the cookie. A reload then finds no code nor state in the address bar
// (no invalid_state), and the first showing needs neither a second login nor
// the session (which may be too small to keep the refresh token) nor the stores.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Core } from "../_core.ts";

/** Long enough for the redirect, short enough to be gone when the tab is left. */
const HANDOVER_TTL = 60;

/** What is handed over. */
export interface Handover {
  token: string;
  email: string;
}

function cookie(core: Core, c: Context) {
  const secure = core.origin(c).startsWith("https:");
  // The __Host- prefix pins the cookie to this host, https and Path=/.
  const name = `${secure ? "__Host-" : ""}easy_oauth_handover`;
  return { name, options: { path: "/", httpOnly: true, sameSite: "Lax", secure } as const };
}

/** Keeps `handover` for the next request of this browser (sealed under its own purpose). */
export async function handOver(core: Core, c: Context, handover: Handover): Promise<void> {
  const { name, options } = cookie(core, c);
  const value = await core.sealer.seal("handover", { ...handover }, { ttl: HANDOVER_TTL });
  setCookie(c, name, value, { ...options, maxAge: HANDOVER_TTL });
}

/** The token handed over to this browser, once; `null` when there is none (or it expired). */
export async function takeHandover(core: Core, c: Context): Promise<Handover | null> {
  const { name, options } = cookie(core, c);
  const value = getCookie(c, name);
  if (value === undefined) return null;
  deleteCookie(c, name, { ...options, maxAge: 0 });
  const claims = await core.sealer.open<Record<string, unknown>>("handover", value);
  if (typeof claims?.token !== "string" || typeof claims.email !== "string") return null;
  return { token: claims.token, email: claims.email };
}
