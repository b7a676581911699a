// The HTTP clients of AppTester: a bearer client and a browser with a cookie jar.
import { AssertionError } from "node:assert";

/**
 * A response read whole by a test client.
 *
 * @example
 * ```ts
 * import type { TestResponse } from "@easy-oauth/hono/testing";
 * function show(res: TestResponse) {
 *   return `${res.status} ${res.text}`;
 * }
 * ```
 */
export interface TestResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** The whole body, as text. */
  readonly text: string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * The options of each request of a test client.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "@easy-oauth/hono/testing";
 * const options: RequestOptions = { expect: 403 };
 * ```
 */
export interface RequestOptions {
  /**
   * The status the response must have; another one throws an `AssertionError`
   * that shows the status and the body. `null` accepts any status.
   * @default {200}
   */
  expect?: number | null | undefined;
  /** Extra request headers. */
  headers?: Record<string, string> | undefined;
}

/** Query parameters of a GET. */
export type Query = Record<string, string | number | boolean>;

/** Sends one request and reads the whole response. */
export type Send = (request: Request) => Promise<Response>;

async function read(response: Response): Promise<TestResponse> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json<T>(): T {
      return JSON.parse(text) as T;
    },
  };
}

/**
 * An HTTP client for one caller of the app under test: a guest, a user with a
 * bearer token, a service account.
 *
 * @example
 * ```ts
 * import type { TestClient } from "@easy-oauth/hono/testing";
 * async function check(user: TestClient) {
 *   await user.get("/hello");                       // must answer 200
 *   await user.post("/items", { name: "x" }, { expect: 201 });
 * }
 * ```
 */
export class TestClient {
  /** The account the client acts as (`null` for a guest). */
  readonly email: string | null;
  /** The bearer token it sends, if any. */
  readonly token: string | undefined;
  readonly #base: string;
  readonly #send: Send;

  /** Made by `AppTester`; not meant to be called directly. */
  constructor(base: string, send: Send, email: string | null, token?: string) {
    this.#base = base;
    this.#send = send;
    this.email = email;
    this.token = token;
  }

  /** A GET with optional query parameters. */
  get(path: string, query: Query = {}, options: RequestOptions = {}): Promise<TestResponse> {
    const url = new URL(path, this.#base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    return this.#request("GET", url, undefined, options);
  }

  /** A POST with an optional JSON body. */
  post(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse> {
    return this.#request("POST", new URL(path, this.#base), body, options);
  }

  /** A PUT with an optional JSON body. */
  put(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse> {
    return this.#request("PUT", new URL(path, this.#base), body, options);
  }

  /** A PATCH with an optional JSON body. */
  patch(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse> {
    return this.#request("PATCH", new URL(path, this.#base), body, options);
  }

  /** A DELETE with an optional JSON body. */
  delete(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse> {
    return this.#request("DELETE", new URL(path, this.#base), body, options);
  }

  async #request(method: string, url: URL, body: unknown, options: RequestOptions = {}) {
    const headers = new Headers(options.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    if (body !== undefined) headers.set("content-type", "application/json");
    const request = new Request(url.href, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const res = await read(await this.#send(request));
    const expected = options.expect === undefined ? 200 : options.expect;
    if (expected !== null && res.status !== expected) {
      throw new AssertionError({
        message:
          `${method} ${url.pathname}${url.search} answered ${res.status}, expected ${expected}: ` +
          res.text.slice(0, 2000),
        actual: res.status,
        expected,
        operator: "strictEqual",
      });
    }
    return res;
  }
}

/**
 * A browser for session flows: a cookie jar per host, and redirects followed
 * (across the app and the mock provider), as a person's browser would.
 *
 * @example
 * ```ts
 * import type { TestBrowser } from "@easy-oauth/hono/testing";
 * async function loginThenHello(browser: TestBrowser) {
 *   await browser.get("/login");
 *   return await browser.get("/hello");
 * }
 * ```
 */
export class TestBrowser extends TestClient {
  readonly #jar = new Map<string, Map<string, string>>();

  /** Made by `AppTester`; not meant to be called directly. */
  constructor(base: string) {
    super(base, (request) => this.#follow(request), null);
  }

  /** The cookies the browser holds for `origin`'s host. */
  cookies(origin: string): ReadonlyMap<string, string> {
    return this.#jar.get(new URL(origin).host) ?? new Map();
  }

  async #follow(request: Request): Promise<Response> {
    let current = request;
    for (let hops = 0; hops < 10; hops++) {
      const url = new URL(current.url);
      const headers = new Headers(current.headers);
      const cookies = [...this.cookies(url.origin)].map(([k, v]) => `${k}=${v}`).join("; ");
      if (cookies) headers.set("cookie", cookies);
      const response = await fetch(new Request(current, { headers, redirect: "manual" }));
      this.#store(url, response.headers.getSetCookie());
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) return response;
      await response.body?.cancel();
      const method = response.status === 307 || response.status === 308 ? current.method : "GET";
      current = new Request(new URL(location, url).href, {
        method,
        headers: { "sec-fetch-site": "none" },
      });
    }
    throw new AssertionError({ message: `too many redirects from ${request.url}` });
  }

  #store(url: URL, setCookies: string[]): void {
    let jar = this.#jar.get(url.host);
    if (!jar) this.#jar.set(url.host, jar = new Map());
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) ||
        attributes.some((a) =>
          /^\s*expires=/i.test(a) && Date.parse(a.split("=")[1] ?? "") < Date.now()
        );
      if (expired) jar.delete(name);
      else jar.set(name, pair.slice(at + 1).trim());
    }
  }
}
