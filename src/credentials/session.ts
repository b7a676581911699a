/**
 * The browser side: the session cookie and the short-lived login-state
 * cookies, both sealed (encrypted and authenticated).
 *
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { ExpiringCache } from "../_cache.ts";
import type { Sealer } from "../crypto/seal.ts";
import { timingSafeEqual } from "../crypto/compare.ts";

/** What a session holds: who, and the grant of its login (the provider's tokens stay on the server). */
export interface SessionData {
  email: string;
  sub: string;
  iss: string;
  name?: string | undefined;
  /** The login's grant record, when it kept a refresh token or an ID token. */
  gid?: string | undefined;
  /** The provider's session id (the ID token's `sid`), which a back-channel logout may name. */
  sid?: string | undefined;
  /** Sessions made before grants held the provider's refresh token here (read, never written). */
  rt?: string | undefined;
  /** The session's id, for logout. */
  jti: string;
  /** When the session was made (seconds since the epoch). */
  iat: number;
  /** When it ends (seconds since the epoch). */
  exp: number;
}

/** What the login flow remembers between `/login` and the callback. */
export interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to go after login (a same-origin path). */
  next: string;
  /** The callback route's name. */
  callback: "auth" | "token";
  /** Whether it asked the provider for offline access (a refresh token that outlives its session). */
  offline?: boolean;
  /** The headless login this browser login completes, if any. */
  headless?: string | undefined;
}

/** Lifetime of a session, in seconds (14 days). */
export const SESSION_TTL = 14 * 24 * 3600;
/** Lifetime of a login attempt, in seconds. */
const LOGIN_TTL = 600;
/**
 * The Cookie header a browser sends stays under 4 KB (nginx's default header
 * buffer; browsers refuse single cookies over 4096 bytes, RFC 6265 §6.1):
 * at most this much for the session cookie…
 */
const MAX_SESSION_COOKIE = 2048;
/** …and this much for the pending logins together, the newest kept first. */
const MAX_LOGIN_COOKIES = 1900;
/** Cookie headers remembered per cookie name; past that, a header is parsed (about 1 µs). */
const MAX_CACHED_HEADERS = 1_000;
/** Longer Cookie headers are parsed each time, so that the cache stays small (≤ 8 MB a name). */
const MAX_HEADER_KEY = 8192;

/** What a cookie costs in the Cookie header: `name=value; `. */
function cookieBytes(name: string, value: string): number {
  return name.length + value.length + 3;
}

/** Where used login states are recorded, shared by every replica (a `TokenStore`). */
export interface UsedStates {
  useOnce(key: string, until: number): Promise<boolean>;
}

/** Reads and writes the sealed cookies of one manager. */
export class SessionCookies {
  readonly #sealer: Sealer;
  readonly #used: UsedStates;
  readonly #clock: () => number;
  readonly #secure: (c: Context) => boolean;
  // Opening a cookie costs a Web Crypto call: remember what was opened.
  readonly #cache: ExpiringCache<SessionData>;
  // Parsing the Cookie header costs as much as the rest of a cached request:
  // remember what whole headers held, one cache per cookie name (http, https).
  readonly #headers = new Map<string, ExpiringCache<SessionData>>();

  constructor(
    sealer: Sealer,
    clock: () => number,
    secure: (c: Context) => boolean,
    used: UsedStates,
  ) {
    this.#sealer = sealer;
    this.#used = used;
    this.#clock = clock;
    this.#secure = secure;
    this.#cache = new ExpiringCache(10_000, clock);
  }

  /**
   * The session of the request when its cookie was opened before, or `null`
   * when there is no cookie, without awaiting (the per-request fast path);
   * `undefined` when {@link read} must open the cookie.
   */
  peek(c: Context): SessionData | null | undefined {
    const header = c.req.raw.headers.get("cookie");
    if (!header) return null;
    const name = this.#name(c, "session");
    let byHeader = this.#headers.get(name);
    if (byHeader === undefined) {
      byHeader = new ExpiringCache(MAX_CACHED_HEADERS, this.#clock);
      this.#headers.set(name, byHeader);
    }
    const known = byHeader.get(header);
    if (known !== undefined) return known;
    const value = getCookie(c, name);
    if (!value) return null;
    const session = this.#cache.get(value);
    // A header maps to one value, so its entry ends with the value's.
    if (session && header.length <= MAX_HEADER_KEY) {
      byHeader.set(header, session, session.exp * 1000);
    }
    return session;
  }

  /** The session of the request, or `null` (no cookie, or one that does not open). */
  async read(c: Context): Promise<SessionData | null> {
    const value = getCookie(c, this.#name(c, "session"));
    if (!value) return null;
    const cached = this.#cache.get(value);
    if (cached) return cached;
    const data = await this.#sealer.open<Omit<SessionData, "jti" | "iat" | "exp">>(
      "session",
      value,
    );
    if (!data || typeof data.email !== "string" || typeof data.exp !== "number") return null;
    const session = data as SessionData;
    this.#cache.set(value, session, session.exp * 1000);
    return session;
  }

  /**
   * Starts a new session (a new id, so no fixation), kept small whatever the
   * provider sent (its name is already cut short, see `identityOf`): the name
   * is dropped, then the refresh token (a later `/token` then logs in again for one).
   *
   * @returns `false` when even the smallest form does not fit (nothing set).
   */
  async write(c: Context, data: Omit<SessionData, "jti" | "iat" | "exp">): Promise<boolean> {
    const { name, rt, ...identity } = data;
    const forms = [
      { ...identity, ...(name ? { name } : {}), ...(rt ? { rt } : {}) },
      { ...identity, ...(rt ? { rt } : {}) },
      identity,
    ];
    for (const form of forms) {
      const value = await this.#sealer.seal("session", form, { ttl: SESSION_TTL });
      if (value.length > MAX_SESSION_COOKIE) continue;
      setCookie(c, this.#name(c, "session"), value, this.#options(c, SESSION_TTL));
      return true;
    }
    return false;
  }

  /** Removes the session cookie from the browser. */
  clear(c: Context): void {
    deleteCookie(c, this.#name(c, "session"), this.#options(c, 0));
  }

  /**
   * Remembers a login attempt in a cookie of its own, so that two tabs can log
   * in at once. Older pending logins are cleared, oldest first, so that all of
   * them stay within their share of the Cookie header; a return path too long
   * for it is replaced by `/`.
   */
  async startLogin(c: Context, login: LoginState): Promise<void> {
    const name = this.#loginName(c, login.state);
    let value = await this.#sealer.seal("login_state", { ...login }, { ttl: LOGIN_TTL });
    if (cookieBytes(name, value) > MAX_LOGIN_COOKIES) {
      value = await this.#sealer.seal("login_state", { ...login, next: "/" }, { ttl: LOGIN_TTL });
    }
    let total = cookieBytes(name, value);
    for (const pending of this.#pendingLogins(c)) {
      total += cookieBytes(pending.name, pending.value);
      if (total > MAX_LOGIN_COOKIES) deleteCookie(c, pending.name, this.#options(c, 0));
    }
    setCookie(c, name, value, this.#options(c, LOGIN_TTL));
  }

  /**
   * The request's login cookies, newest first: browsers send cookies of the
   * same path oldest first (RFC 6265 §5.4). A client that does otherwise only
   * loses one of its own pending logins.
   */
  #pendingLogins(c: Context): { name: string; value: string }[] {
    const prefix = this.#name(c, "login_");
    return Object.entries(getCookie(c))
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => ({ name, value }))
      .reverse();
  }

  /**
   * The login attempt that `state` names, once: its cookie is cleared, and
   * the state is recorded as used in the token store until the cookie would
   * have expired, so that a copy of the cookie replayed to any replica
   * sharing the store is refused before the provider is called.
   *
   * @throws {StoreUnavailable} When the token store cannot record it (a 503).
   */
  async takeLogin(c: Context, state: string): Promise<LoginState | null> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(state)) return null;
    const name = this.#loginName(c, state);
    const value = getCookie(c, name);
    if (!value) return null;
    deleteCookie(c, name, this.#options(c, 0));
    const login = await this.#sealer.open<Record<string, unknown>>("login_state", value);
    if (!login || typeof login.state !== "string" || !timingSafeEqual(login.state, state)) {
      return null;
    }
    const until = typeof login.exp === "number" ? login.exp : this.#clock() / 1000 + LOGIN_TTL;
    if (!(await this.#used.useOnce(`login_state:${login.jti}`, until * 1000))) return null;
    return login as unknown as LoginState;
  }

  #name(c: Context, base: string): string {
    // The __Host- prefix pins the cookie to this host, https and Path=/.
    return this.#secure(c) ? `__Host-easy_oauth_${base}` : `easy_oauth_${base}`;
  }

  #loginName(c: Context, state: string): string {
    return this.#name(c, `login_${state.slice(0, 16)}`);
  }

  #options(c: Context, maxAge: number): CookieOptions {
    return { path: "/", httpOnly: true, sameSite: "Lax", secure: this.#secure(c), maxAge };
  }
}
