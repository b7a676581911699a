// OAuthMock: the mock OpenID provider served on a local port, for tests.
import {
  createMockProvider,
  type MockEndpoint,
  type MockFault,
  type MockProvider,
  type MockProviderOptions,
  type MockQuirks,
  type MockUser,
} from "../mock/mod.ts";
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
export interface OAuthMockOptions
  extends Pick<MockProviderOptions, "email" | "clock" | "clients" | "loginPage"> {
  /**
   * The TCP port; `0` picks a free one (best in tests that may run in parallel).
   * @default {29313}
   */
  port?: number | undefined;
  /**
   * The interface to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string | undefined;
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
  #served: Served;
  readonly #hostname: string | undefined;
  #down: Promise<void> | undefined;

  private constructor(provider: MockProvider, served: Served, hostname: string | undefined) {
    this.provider = provider;
    this.#served = served;
    this.#hostname = hostname;
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
    return new OAuthMock(provider, await serve(provider.fetch, { port, hostname }), hostname);
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
   * Makes `endpoint` misbehave for the next request, or `fault.times` requests
   * (`Infinity`: until {@link OAuthMock.heal}). See {@link MockFault}.
   *
   * @throws {TypeError} naming a bad endpoint or fault field.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * await using mock = await OAuthMock.start({ port: 0 });
   * mock.fail("token", { status: 503, error: "temporarily_unavailable", times: 2 });
   * mock.fail("jwks", { body: "not json" });
   * mock.fail("userinfo", { delayMs: 50 }); // slow, then a normal answer
   * mock.heal(); // everything answers normally again
   * ```
   */
  fail(endpoint: MockEndpoint, fault?: MockFault): void {
    this.provider.fail(endpoint, fault);
  }

  /** Ends the faults of `endpoint`, or of every endpoint. */
  heal(endpoint?: MockEndpoint): void {
    this.provider.heal(endpoint);
  }

  /**
   * Takes the provider down: it stops listening, so connections are refused,
   * until {@link OAuthMock.up}.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * await using mock = await OAuthMock.start({ port: 0 });
   * await mock.down();
   * await fetch(mock.metadataUrl).catch(() => "refused"); // "refused"
   * await mock.up();
   * ```
   */
  down(): Promise<void> {
    this.#down ??= this.#served.close();
    return this.#down;
  }

  /**
   * Listens again, on the same port, after {@link OAuthMock.down}; what the
   * provider issued before still holds.
   *
   * @throws {Error} when the port was taken in the meantime.
   */
  async up(): Promise<void> {
    if (this.#down === undefined) return;
    await this.#down;
    const port = this.#served.port;
    this.#served = await serve(this.provider.fetch, { port, hostname: this.#hostname });
    this.#down = undefined;
  }

  /**
   * Signs with a new key from now on; with `keepOld`, the old key stays in the JWKS.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * await using mock = await OAuthMock.start({ port: 0 });
   * await mock.rotateKeys({ keepOld: true });
   * ```
   */
  rotateKeys(options?: { keepOld?: boolean }): Promise<void> {
    return this.provider.rotateKeys(options);
  }

  /**
   * Turns provider quirks on or off. See {@link MockQuirks}.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * await using mock = await OAuthMock.start({ port: 0 });
   * mock.setQuirks({ rotateRefreshTokens: true, emailInUserinfoOnly: true });
   * ```
   */
  setQuirks(quirks: MockQuirks): void {
    this.provider.setQuirks(quirks);
  }

  /**
   * Sets one user's claims for tokens issued from now on. See {@link MockUser}.
   *
   * @example
   * ```ts
   * import { OAuthMock } from "@easy-oauth/hono/testing";
   * await using mock = await OAuthMock.start({ port: 0 });
   * mock.setUser("ada@example.com", { name: "Ada", email_verified: false });
   * ```
   */
  setUser(email: string, user: MockUser): void {
    this.provider.setUser(email, user);
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
    return this.#down ?? this.#served.close();
  }

  /** Closes the mock at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
