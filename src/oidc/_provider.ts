/**
 * One provider as one registered client sees it: its discovery document,
 * fetched once and kept, and what every request to it carries (client
 * authentication, the clock alignment, the bounded fetch).
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import { boundedFetch } from "./_fetch.ts";
import type { FetchFunction } from "../http/http.ts";
import {
  expectedIssuer,
  isLoopback,
  ProviderMisconfigured,
  ProviderUnavailable,
} from "./_checks.ts";
import { classifyDiscovery } from "./_classify.ts";
import { chooseAuthMethod, clientAuth, type TokenEndpointAuthMethod } from "./_client_auth.ts";
import { IdTokenVerifier } from "./_id_token.ts";

/** Options of {@link OidcClient}. */
export interface OidcClientOptions {
  serverMetadataUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** By default, what discovery lists, preferring basic. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  fetch: FetchFunction;
  clock: () => number;
  /** Seconds of clock difference allowed with the provider (`exp`, `nbf`, and `iat` ahead of now). */
  clockTolerance?: number | undefined;
}

/** Tolerance for clock differences with the provider, in seconds, by default. */
export const CLOCK_TOLERANCE = 300;
/** How long a failed discovery is remembered before trying again (ms). */
const DISCOVERY_RETRY_MS = 5_000;

/** The provider's metadata and the settings of every request made to it. */
export class Provider {
  readonly options: OidcClientOptions;
  readonly fetch: FetchFunction;
  readonly tolerance: number;
  readonly #issuer: URL;
  readonly #insecure: boolean;
  #metadata?: Promise<oauth.AuthorizationServer>;
  #failedAt = -Infinity;
  #verifier?: IdTokenVerifier;

  constructor(options: OidcClientOptions) {
    this.options = options;
    this.#issuer = expectedIssuer(options.serverMetadataUrl);
    this.#insecure = this.#issuer.protocol === "http:";
    if (this.#insecure && !isLoopback(this.#issuer)) {
      throw new TypeError('"serverMetadataUrl" must use https (http is allowed on loopback only)');
    }
    this.fetch = boundedFetch(options.fetch);
    this.tolerance = options.clockTolerance ?? CLOCK_TOLERANCE;
  }

  /** The provider's metadata, fetched on first use and kept; a failure is retried after a pause. */
  metadata(): Promise<oauth.AuthorizationServer> {
    if (
      !this.#metadata ||
      (this.#failedAt > -Infinity && Date.now() - this.#failedAt > DISCOVERY_RETRY_MS)
    ) {
      this.#failedAt = -Infinity;
      this.#metadata = this.#discover().catch((cause) => {
        this.#failedAt = Date.now();
        throw cause instanceof ProviderUnavailable || cause instanceof ProviderMisconfigured
          ? cause
          : new ProviderUnavailable("the identity provider's discovery document is invalid", {
            cause,
          });
      });
    }
    return this.#metadata;
  }

  async #discover(): Promise<oauth.AuthorizationServer> {
    const url = this.options.serverMetadataUrl;
    const response = await this.fetch(url, { headers: { accept: "application/json" } });
    await classifyDiscovery(response, this.#issuer, url);
    return await oauth.processDiscoveryResponse(this.#issuer, response);
  }

  /** The verifier of the ID tokens signed with the keys at `jwksUri`, made once and kept. */
  verifier(jwksUri: string): IdTokenVerifier {
    this.#verifier ??= new IdTokenVerifier(jwksUri, this.fetch);
    return this.#verifier;
  }

  client(): oauth.Client {
    return {
      client_id: this.options.clientId,
      // oauth4webapi checks iat/exp with its own idea of now: align it with the injected clock.
      [oauth.clockSkew]: Math.round((this.options.clock() - Date.now()) / 1000),
      [oauth.clockTolerance]: this.tolerance,
    };
  }

  auth(as: oauth.AuthorizationServer): oauth.ClientAuth {
    const secret = this.options.clientSecret;
    const method = chooseAuthMethod(
      this.options.tokenEndpointAuthMethod,
      secret !== undefined,
      as,
    );
    return clientAuth(method, secret);
  }

  requestOptions(): {
    [oauth.customFetch]: (
      url: string,
      init: oauth.CustomFetchOptions<string, unknown>,
    ) => Promise<Response>;
    [oauth.allowInsecureRequests]: boolean;
  } {
    // oauth4webapi's options object is a RequestInit; its optional fields may hold undefined.
    const customFetch = (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
      this.fetch(url, init as RequestInit);
    return { [oauth.customFetch]: customFetch, [oauth.allowInsecureRequests]: this.#insecure };
  }
}
