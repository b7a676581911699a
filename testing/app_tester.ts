// AppTester: the app under test, served in-process, and clients that log in
// real users through the mock provider.
import { AssertionError } from "node:assert";
import { type Handler, serve, type Served } from "./_serve.ts";
import type { OAuthMock } from "./oauth_mock.ts";
import { TestBrowser, TestClient } from "./http_client.ts";

/**
 * Options of {@link AppTester.start}.
 *
 * @example
 * ```ts
 * import type { AppTesterOptions } from "@easy-oauth/hono/testing";
 * const options: AppTesterOptions = { prefix: "/api/v1" };
 * ```
 */
export interface AppTesterOptions {
  /**
   * Where the app mounted the manager's routes (its `prefix`).
   * @default {""}
   */
  prefix?: string | undefined;
  /**
   * The port to serve the app on; `0` picks a free one.
   * @default {0}
   */
  port?: number | undefined;
  /**
   * The interface to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string | undefined;
}

/** Anything with a fetch handler: a Hono app, for one. */
export interface Fetchable {
  /** Answers one request. */
  fetch: Handler;
}

/**
 * Serves an app in the same process and gives clients that act as guests or
 * as users logged in through the mock provider (`OAuthMock`): no browser, no
 * secrets.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { type OAuthEnv, OAuthManager } from "@easy-oauth/hono";
 * import { AppTester, OAuthMock } from "@easy-oauth/hono/testing";
 *
 * // The app is made by a function: the server and each test make their own.
 * function createApp(options: { serverMetadataUrl: string; secretKey: string }) {
 *   const oauth = new OAuthManager({
 *     ...options,
 *     clientId: "test",
 *     capabilities: { graph: { read: [] }, defaultCapabilities: ["read"] },
 *   });
 *   const app = oauth.install(new Hono<OAuthEnv>());
 *   app.get("/hello", oauth.requireCapability("read"), (c) => c.text(`hi ${c.var.email}`));
 *   return app;
 * }
 *
 * await using mock = await OAuthMock.start({ port: 0 });
 * const app = createApp({
 *   serverMetadataUrl: mock.metadataUrl,
 *   secretKey: "nyhCSijUg7k_8fxdREV_ZOEHuZGRzc0Nrv1zpc78CZU",
 * });
 * await using tester = await AppTester.start(app, mock);
 * const guest = await tester.client();
 * await guest.get("/hello", {}, { expect: 401 });
 * const ada = await tester.client("ada@example.com");
 * (await ada.get("/hello")).text; // "hi ada@example.com"
 * ```
 */
export class AppTester implements AsyncDisposable {
  /** The app's base URL: `"http://127.0.0.1:<port>"`. */
  readonly url: string;
  /** The mock provider users log in through. */
  readonly mock: OAuthMock;
  readonly #prefix: string;
  readonly #served: Served;

  private constructor(served: Served, mock: OAuthMock, prefix: string) {
    this.#served = served;
    this.url = served.url;
    this.mock = mock;
    this.#prefix = prefix;
  }

  /**
   * Serves `app` on a free port.
   *
   * @throws {TypeError} When `prefix` is not `""` or a path starting with "/".
   */
  static async start(
    app: Fetchable,
    mock: OAuthMock,
    options: AppTesterOptions = {},
  ): Promise<AppTester> {
    const prefix = checkPrefix(options.prefix);
    const served = await serve((request) => app.fetch(request), {
      port: options.port ?? 0,
      hostname: options.hostname,
    });
    return new AppTester(served, mock, prefix);
  }

  /** Sets who later logins without an email are (as the mock's `/set_email`). */
  setEmail(email: string): Promise<void> {
    return this.mock.setEmail(email);
  }

  /**
   * A client that does not follow redirects: a guest without `email`, else a user logged in through
   * `GET {prefix}/token` (the mock's `login_hint` picks the user, so clients
   * for different emails can be made concurrently) who sends the token it got
   * as `Authorization: Bearer`.
   */
  async client(email?: string, options: { prefix?: string } = {}): Promise<TestClient> {
    if (email === undefined) return new TestClient(this.url, send, null);
    const prefix = options.prefix === undefined ? this.#prefix : checkPrefix(options.prefix);
    const browser = new TestBrowser(this.url);
    const res = await browser.get(`${prefix}/token`, { login_hint: email }, { expect: null });
    const token = res.status === 200 ? tokenOf(res.text) : undefined;
    if (!token) {
      throw new AssertionError({
        message: `logging in ${email} through ${prefix}/token answered ${res.status}: ${
          res.text.slice(0, 500)
        }`,
      });
    }
    return new TestClient(this.url, send, email, token);
  }

  /**
   * A client for a service account (`bot@service`) carrying a fresh service
   * token, fetched through `GET {prefix}/token?user=` by the user manager
   * `options.as`, who is logged in for the purpose.
   */
  async serviceClient(
    account: string,
    options: { as: string; prefix?: string },
  ): Promise<TestClient> {
    const prefix = options.prefix === undefined ? this.#prefix : checkPrefix(options.prefix);
    const admin = await this.client(options.as, { prefix });
    const res = await admin.get(`${prefix}/token`, { user: account }, { expect: null });
    const token = res.status === 200
      ? res.json<{ service_token?: unknown }>().service_token
      : undefined;
    if (typeof token !== "string") {
      throw new AssertionError({
        message: `${options.as} could not get a service token for ${account}: ${res.status} ${
          res.text.slice(0, 500)
        }`,
      });
    }
    return new TestClient(this.url, send, account, token);
  }

  /** A browser with a cookie jar that follows redirects, for session flows. */
  browser(): TestBrowser {
    return new TestBrowser(this.url);
  }

  /** Stops serving the app (the mock stays up). Calling it again does nothing. */
  close(): Promise<void> {
    return this.#served.close();
  }

  /** Closes the tester at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * How clients send: redirects are answers to look at, not to follow (upstream's
 * httpx client does not follow them either), so a guest on a `redirect: true`
 * route sees the 307 to the login page.
 */
function send(request: Request): Promise<Response> {
  return fetch(request, { redirect: "manual" });
}

function checkPrefix(prefix: unknown): string {
  if (prefix === undefined || prefix === "") return "";
  if (typeof prefix !== "string" || !prefix.startsWith("/") || prefix.endsWith("/")) {
    throw new TypeError('"prefix" must be "" or a path like "/api/v1"');
  }
  return prefix;
}

function tokenOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { refresh_token?: unknown };
    return typeof body.refresh_token === "string" ? body.refresh_token : undefined;
  } catch {
    return undefined;
  }
}
