// OAuthMock: the mock OpenID provider served on a local port, for tests.
import { createMockProvider, type MockProvider, type MockProviderOptions } from "../mock/mod.ts";
import { serve, type Served } from "./_serve.ts";

/** The port {@link OAuthMock.start} listens on by default, as `mock/server.ts` does. */
const DEFAULT_PORT = 29313;

/**
 * Options of {@link OAuthMock.start}: where to listen, plus the provider's
 * `email`, `clock` and registered `clients`.
 *
 * @example
 * ```ts
 * import type { OAuthMockOptions } from "@easy-oauth/hono/testing";
 * const options: OAuthMockOptions = { port: 0, email: "ada@example.com" };
 * ```
 */
export interface OAuthMockOptions extends Pick<MockProviderOptions, "email" | "clock" | "clients"> {
  /**
   * The TCP port; `0` picks a free one (best in tests that may run in parallel).
   * @default {29313}
   */
  port?: number;
  /**
   * The interface to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
}

/**
 * A mock OpenID Connect provider listening on a local port, for tests that need
 * a real HTTP provider: point a relying party at {@link OAuthMock.metadataUrl}.
 * Dispose of it with `await using` or {@link OAuthMock.close}.
 *
 * @example
 * ```ts
 * import { OAuthMock } from "@easy-oauth/hono/testing";
 *
 * await using mock = await OAuthMock.start({ port: 0 });
 * await mock.setEmail("ada@example.com");
 * const metadata = await (await fetch(mock.metadataUrl)).json();
 * metadata.issuer === mock.url; // true
 * ```
 */
export class OAuthMock implements AsyncDisposable {
  /** The base URL and issuer, without a trailing slash: `"http://127.0.0.1:<port>"`. */
  readonly url: string;
  /** The discovery document's URL: `url + "/.well-known/openid-configuration"`. */
  readonly metadataUrl: string;
  /** The provider behind the server, to change who logs in or to call it directly. */
  readonly provider: MockProvider;
  readonly #served: Served;

  private constructor(provider: MockProvider, served: Served) {
    this.provider = provider;
    this.#served = served;
    this.url = served.url;
    this.metadataUrl = `${served.url}/.well-known/openid-configuration`;
  }

  /**
   * Creates a provider and serves it.
   *
   * @param options Where to listen, who logs in, and the clock.
   * @returns The running mock.
   * @throws {TypeError} when an option is invalid; the message names it.
   * @throws {Error} when the port is taken.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * let now = Date.now();
   * await using mock = await OAuthMock.start({ port: 0, clock: () => now });
   * now += 2 * 3600_000; // access tokens issued before are now expired
   * ```
   */
  static async start(options: OAuthMockOptions = {}): Promise<OAuthMock> {
    const { port = DEFAULT_PORT, hostname, ...providerOptions } = options;
    const provider = createMockProvider(providerOptions);
    return new OAuthMock(provider, await serve(provider.fetch, { port, hostname }));
  }

  /**
   * Sets who later logins are, as `POST /set_email` does, without HTTP.
   *
   * @param email The user of later logins (those without a `login_hint`).
   * @throws {TypeError} when `email` is not an email address.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * await using mock = await OAuthMock.start({ port: 0 });
   * await mock.setEmail("grace@example.com");
   * mock.provider.email; // "grace@example.com"
   * ```
   */
  setEmail(email: string): Promise<void> {
    try {
      this.provider.setEmail(email);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Stops the server and waits until it is down. Calling it again does nothing.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * const mock = await OAuthMock.start({ port: 0 });
   * await mock.close();
   * ```
   */
  close(): Promise<void> {
    return this.#served.close();
  }

  /** Closes the mock at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
