/**
 * `OAuthManager`: OpenID Connect login, sessions, bearer tokens and
 * capability checks for a Hono app.
 *
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { type Caller, Core } from "./_core.ts";
import { errorResponse, unauthorized } from "./http/http.ts";
import { validateOptions } from "./_manager_options.ts";
import type { CapabilitySet } from "./capabilities/capabilities.ts";
import type { OAuthEnv } from "./env.ts";
import type { OAuthManagerOptions } from "./options.ts";
import { loadConfig, type LoadConfigOptions } from "./config/config.ts";
import { authRoutes } from "./routes/auth_routes.ts";
import { manageRoutes } from "./routes/manage_capabilities.ts";
import { tokenRoutes } from "./routes/token_routes.ts";
import { historyRoutes } from "./routes/admin_history.ts";
import { adminPageRoutes } from "./routes/admin_page.ts";
import { forPeople } from "./pages/error_page.ts";

/**
 * What `requireCapability` and `requireUser` take.
 *
 * @example
 * ```ts
 * import type { RequireOptions } from "@easy-oauth/hono";
 * const options: RequireOptions = { redirect: true };
 * ```
 */
export interface RequireOptions {
  /**
   * Send an unauthenticated caller to the login page (a 307 that comes back
   * here after login) instead of answering 401. For pages, not APIs.
   * @default {false}
   */
  redirect?: boolean | undefined;
}

/**
 * OpenID Connect login, sessions, bearer tokens and capability-based
 * authorization for a Hono app: the port of Python easy-oauth's
 * `OAuthManager`, with the same routes and JSON.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { OAuthManager, type OAuthEnv } from "@easy-oauth/hono";
 *
 * const oauth = new OAuthManager({
 *   serverMetadataUrl: "http://127.0.0.1:29313/.well-known/openid-configuration",
 *   secretKey: "<SECRET_KEY: the output of easy-oauth secret>",
 *   clientId: "my-client",
 *   clientSecret: "my-secret",
 *   capabilities: { graph: { read: [], write: ["read"], announce: ["write"] } },
 * });
 * const app = new Hono<OAuthEnv>();
 * oauth.install(app);
 * app.get("/shout", oauth.requireCapability("announce", { redirect: true }), (c) =>
 *   c.text(`${c.var.email} shouts ${c.req.query("message")}`));
 * ```
 */
export class OAuthManager {
  readonly #core: Core;

  /**
   * Validates the options and prepares the manager. Nothing is fetched yet:
   * the provider's discovery document is read on first use.
   *
   * @param options See {@link OAuthManagerOptions}.
   * @throws {TypeError} Naming the first invalid option.
   */
  constructor(options: OAuthManagerOptions) {
    this.#core = new Core(validateOptions(options));
  }

  /**
   * Makes a manager from a configuration in the Python package's format: a
   * YAML file, a `file:` URL, or an object (a section of a larger
   * configuration). Encrypted values (`~CRYPT~…`, as serieux writes them) are
   * opened with `options.password`, else the `SERIEUX_PASSWORD` environment
   * variable, as serieux does. See {@link loadConfig}.
   *
   * @throws {ConfigError} Naming the file, the key and the problem.
   *
   * @example
   * ```ts ignore
   * import { OAuthManager } from "@easy-oauth/hono";
   * // The password of encrypted values, if any, comes from SERIEUX_PASSWORD.
   * const oauth = await OAuthManager.fromConfig("config.yaml");
   * ```
   */
  static async fromConfig(
    source: string | URL | Readonly<Record<string, unknown>>,
    options:
      & LoadConfigOptions
      & Pick<OAuthManagerOptions, "clock" | "fetch" | "log" | "tokenStore"> = {},
  ): Promise<OAuthManager> {
    const { password, baseDir, env, ...runtime } = options;
    const manager = new OAuthManager({
      ...(await loadConfig(source, { password, baseDir, env })),
      ...runtime,
    });
    await manager.ready();
    return manager;
  }

  /** The capabilities this manager checks. */
  get capabilities(): CapabilitySet {
    return this.#core.caps;
  }

  /** Where the routes are mounted (`""` or a path like `/api/v1`). */
  get prefix(): string {
    return this.#core.options.prefix;
  }

  /**
   * The route group: `/login`, `/auth`, `/token`, `/logout` and
   * `/manage_capabilities/*`, to mount under `prefix` (see {@link install}).
   */
  routes(): Hono<OAuthEnv> {
    const app = new Hono<OAuthEnv>();
    const core = this.#core;
    app.use(async function errorPages(c, next) {
      await next();
      if (c.res.status >= 400 && c.res.status < 404) {
        c.res = await forPeople(c, c.res, core.path("/login"));
      }
    });
    app.onError((error) => core.failure(error));
    authRoutes(this.#core, app);
    manageRoutes(this.#core, app);
    tokenRoutes(this.#core, app);
    historyRoutes(this.#core, app);
    adminPageRoutes(this.#core, app);
    return app;
  }

  /**
   * Mounts the routes on `app` under `prefix`: `app.route(prefix, oauth.routes())`.
   *
   * @returns `app`, for chaining.
   */
  install<A extends Hono<OAuthEnv>>(app: A): A {
    app.route(this.prefix || "/", this.routes());
    return app;
  }

  /**
   * A middleware that tells who is calling (`c.var.email`, `c.var.user`)
   * without enforcing anything. A bad bearer token still answers 401.
   */
  middleware(): MiddlewareHandler<OAuthEnv> {
    const core = this.#core;
    return function resolveCaller(c, next) {
      // A public page works while the store is down, for everyone as a guest.
      return withCaller(core, c, () => next(), true);
    };
  }

  /**
   * A middleware that lets the request through only when the caller holds
   * `capability` (directly, by implication, as a default or guest capability,
   * or by override). Without a capability, anyone passes.
   * Unauthenticated and refused: 401 (or, with `redirect`, a 307 to the login
   * page); authenticated and refused: 403.
   *
   * @throws {TypeError} When `capability` is not in the graph.
   */
  requireCapability(
    capability?: string,
    options: RequireOptions = {},
  ): MiddlewareHandler<OAuthEnv> {
    const core = this.#core;
    if (capability !== undefined && !core.caps.has(capability)) {
      throw new TypeError(
        `"${capability}" is not a capability (known: ${core.caps.names.join(", ")})`,
      );
    }
    const redirect = options.redirect === true;
    return function requireCapability(c, next) {
      return withCaller(core, c, (caller) => {
        const refuse = () =>
          forPeople(
            c,
            caller.user ? forbidden(capability!) : guestRefusal(core, c, redirect),
            core.path("/login"),
          );
        if (capability === undefined) return next();
        const now = core.allowedNow(caller.user, capability);
        if (now !== undefined) return now ? next() : refuse();
        return core.allowed(caller.user, capability).then(
          (ok): Promise<void | Response> | Response => ok ? next() : refuse(),
          (error) => core.failure(error),
        );
      });
    };
  }

  /** A middleware that lets any authenticated caller through (401, or 307 with `redirect`, otherwise). */
  requireUser(options: RequireOptions = {}): MiddlewareHandler<OAuthEnv> {
    const core = this.#core;
    const redirect = options.redirect === true;
    return function requireUser(c, next) {
      return withCaller(
        core,
        c,
        (caller) =>
          caller.user ? next() : forPeople(c, guestRefusal(core, c, redirect), core.path("/login")),
      );
    };
  }

  /**
   * Reads the capability and token stores once, so that a file that cannot
   * be read (broken, too large) is a `ConfigError` at start rather than a 503
   * on each request. `fromConfig` calls it.
   *
   * @throws {ConfigError} Naming the file and what is wrong with it.
   *
   * @example
   * ```ts ignore
   * import { OAuthManager } from "@easy-oauth/hono";
   * const oauth = new OAuthManager({ ... });
   * await oauth.ready(); // before serving
   * ```
   */
  async ready(): Promise<void> {
    await Promise.all([this.#core.caps.store.all(), this.#core.revocations.ready()]);
  }

  /** The caller's email, or `null` for a guest or an invalid token. */
  async getEmail(c: Context): Promise<string | null> {
    const caller = await this.#core.caller(c);
    return caller instanceof Response ? null : caller.user?.email ?? null;
  }
}

function forbidden(capability: string): Response {
  return errorResponse(403, "forbidden", `This needs the "${capability}" capability.`);
}

/**
 * Runs `then` with the caller, without a promise of ours when the caller is
 * already known (every request but a credential's first); a bad bearer token
 * answers its 401 without calling `then`.
 */
function withCaller(
  core: Core,
  c: Context,
  then: (caller: Caller) => Promise<void | Response>,
  guestWhenStoreDown = false,
): Promise<void | Response> {
  const caller = core.callerNow(c);
  if (caller === undefined) {
    return core.caller(c).then(
      (found) =>
        found instanceof Response ? refused(core, c, found, then, guestWhenStoreDown) : then(found),
      (error) => core.failure(error),
    );
  }
  return caller instanceof Response
    ? refused(core, c, caller, then, guestWhenStoreDown)
    : then(caller);
}

/** A refusal of the caller stands, except a store outage on a public page: that goes on as a guest. */
function refused(
  core: Core,
  c: Context,
  response: Response,
  then: (caller: Caller) => Promise<void | Response>,
  guestWhenStoreDown: boolean,
): Promise<void | Response> {
  if (!guestWhenStoreDown || !core.storeDown(response)) {
    return forPeople(c, response, core.path("/login"));
  }
  c.set("user", null);
  c.set("email", null);
  return then({ user: null, via: "none" });
}

/** 401, or for pages a 307 to the login page that comes back here. */
function guestRefusal(core: Core, c: Context, redirect: boolean): Response {
  return redirect ? toLogin(core, c) : unauthorized("Log in or send a bearer token.");
}

function toLogin(core: Core, c: Context): Response {
  const url = new URL(c.req.url);
  const next = new URLSearchParams({ next: url.pathname + url.search });
  return c.redirect(`${core.path("/login")}?${next}`, 307);
}
