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
import { allowedAlgorithms, issuerProblem, JwtVerifier, OIDC_ALGORITHMS } from "./_id_token.ts";
import type { LoginPolicy } from "./_allowed.ts";

/**
 * oauth4webapi's hook for the `iss` a token must carry when it is not the
 * issuer discovery states (openid-client uses it for Entra ID's template);
 * not in its type declarations.
 */
const EXPECTED_ISSUER = (oauth as unknown as { readonly _expectedIssuer: symbol })._expectedIssuer;

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
  /** Who may log in, besides having a verified email. */
  policy?: LoginPolicy | undefined;
  /** Where refusals of the provider's tokens are logged (never a token). */
  log?: ((message: string) => void) | undefined;
}

/** The provider's metadata as discovered, and what this client accepts of it. */
export interface Discovered {
  /** What oauth4webapi is given (see `metadata()`). */
  as: oauth.AuthorizationServer;
  /** The issuer discovery states (Entra ID's multi-tenant template included). */
  issuer: string;
  /** The ID tokens' algorithms: discovery's `id_token_signing_alg_values_supported` that OIDC allows. */
  idTokenAlgorithms: string[];
  /** Signed userinfo's: discovery's `userinfo_signing_alg_values_supported`, else the ID tokens'. */
  userinfoAlgorithms: string[];
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
  #discovered?: Promise<Discovered>;
  #failedAt = -Infinity;
  #verifier?: JwtVerifier;

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

  /**
   * The provider's metadata for oauth4webapi, fetched on first use and kept;
   * a failure is retried after a pause. Tokens' signatures, algorithms and
   * issuers are `JwtVerifier`'s to judge (and its refusals are logged): what
   * oauth4webapi is given lets through every algorithm OIDC allows and the
   * `iss` the issuer rules accept, the rest of its checks stay.
   */
  async metadata(): Promise<oauth.AuthorizationServer> {
    return (await this.discovered()).as;
  }

  /** The metadata as discovered, and what this client accepts of it. */
  discovered(): Promise<Discovered> {
    if (
      !this.#discovered ||
      (this.#failedAt > -Infinity && Date.now() - this.#failedAt > DISCOVERY_RETRY_MS)
    ) {
      this.#failedAt = -Infinity;
      this.#discovered = this.#discover().catch((cause) => {
        this.#failedAt = Date.now();
        throw cause instanceof ProviderUnavailable || cause instanceof ProviderMisconfigured
          ? cause
          : new ProviderUnavailable("the identity provider's discovery document is invalid", {
            cause,
          });
      });
    }
    return this.#discovered;
  }

  async #discover(): Promise<Discovered> {
    const url = this.options.serverMetadataUrl;
    const response = await this.fetch(url, { headers: { accept: "application/json" } });
    const stated = await classifyDiscovery(response, this.#issuer, url);
    // oauth4webapi compares the stated issuer to the one given: the stated one
    // was checked above against the expected one and its documented exceptions.
    const as = await oauth.processDiscoveryResponse(new URL(stated), response);
    const idTokenAlgorithms = allowedAlgorithms(as.id_token_signing_alg_values_supported);
    const userinfoAlgorithms = as.userinfo_signing_alg_values_supported === undefined
      ? idTokenAlgorithms
      : allowedAlgorithms(as.userinfo_signing_alg_values_supported);
    return {
      as: {
        ...as,
        id_token_signing_alg_values_supported: [...OIDC_ALGORITHMS],
        // Called by oauth4webapi for each ID token, before JwtVerifier sees it.
        [EXPECTED_ISSUER]: (result: { claims: { readonly [claim: string]: unknown } }) => {
          const problem = issuerProblem(as.issuer, result.claims);
          if (problem === null) return result.claims.iss;
          this.log(`refused the identity provider's ID token: ${problem}`);
          return as.issuer;
        },
      },
      issuer: as.issuer,
      idTokenAlgorithms,
      userinfoAlgorithms,
    };
  }

  /** The verifier of the JWTs signed with the keys at `jwksUri` or the client secret, made once and kept. */
  verifier(jwksUri: string): JwtVerifier {
    this.#verifier ??= new JwtVerifier(jwksUri, this.fetch, this.options.clientSecret);
    return this.#verifier;
  }

  /** Logs a refusal of the provider's answer (never a token). */
  log(message: string): void {
    this.options.log?.(message);
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
