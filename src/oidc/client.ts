/**
 * The OpenID Connect relying party: discovery, the authorization request with
 * PKCE, state and nonce, the code exchange, refresh and revocation, built on
 * `oauth4webapi`, with ID-token signatures verified by `jose` against the
 * provider's JWKS (oauth4webapi checks claims but not signatures).
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import type { JWTPayload } from "jose";
import { boundedFetch } from "./_fetch.ts";
import {
  expectedIssuer,
  type Identity,
  identityOf,
  isLoopback,
  LoginError,
  ProviderMisconfigured,
  ProviderUnavailable,
  TokenRefused,
  withUserinfo,
} from "./_checks.ts";
import { classifyDiscovery, classifyTokenResponse, classifyUserinfoResponse } from "./_classify.ts";
import { chooseAuthMethod, clientAuth, type TokenEndpointAuthMethod } from "./_client_auth.ts";
import { IdTokenVerifier } from "./_id_token.ts";
import {
  type AuthorizationParams,
  authorizationUrl,
  type EndSessionParams,
  endSessionUrl,
} from "./_front_channel.ts";

export {
  expectedIssuer,
  type Identity,
  isLoopback,
  LoginError,
  ProviderMisconfigured,
  ProviderUnavailable,
  type TokenEndpointAuthMethod,
  TokenRefused,
};

/** The result of a code exchange or a refresh. */
export interface TokenResult {
  identity: Identity;
  /** The provider's refresh token, when it gave one (a new one when it rotates them). */
  refreshToken?: string;
  /** The ID token, for `id_token_hint` at logout. */
  idToken?: string;
  /** Until when (epoch ms) the answer may be relied upon (the access token's lifetime). */
  expiresAt: number;
}

/** Options of {@link OidcClient}. */
export interface OidcClientOptions {
  serverMetadataUrl: string;
  clientId: string;
  clientSecret?: string;
  /** By default, what discovery lists, preferring basic. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  fetch: typeof fetch;
  clock: () => number;
  /** Seconds of clock difference allowed with the provider (`exp`, `nbf`, and `iat` ahead of now). */
  clockTolerance?: number;
}

/** Tolerance for clock differences with the provider, in seconds, by default. */
export const CLOCK_TOLERANCE = 300;
/** How long a failed discovery is remembered before trying again (ms). */
const DISCOVERY_RETRY_MS = 5_000;

/** What a flow makes of an answer it refuses (the OAuth error code, when the provider sent one). */
type Refused = (message: string, code?: string) => Error;

/** An OpenID Connect client for one provider and one registered client. */
export class OidcClient {
  readonly #options: OidcClientOptions;
  readonly #fetch: typeof fetch;
  readonly #issuer: URL;
  readonly #insecure: boolean;
  readonly #tolerance: number;
  #metadata?: Promise<oauth.AuthorizationServer>;
  #failedAt = -Infinity;
  #verifier?: IdTokenVerifier;

  constructor(options: OidcClientOptions) {
    this.#options = options;
    this.#issuer = expectedIssuer(options.serverMetadataUrl);
    this.#insecure = this.#issuer.protocol === "http:";
    if (this.#insecure && !isLoopback(this.#issuer)) {
      throw new TypeError('"serverMetadataUrl" must use https (http is allowed on loopback only)');
    }
    this.#fetch = boundedFetch(options.fetch);
    this.#tolerance = options.clockTolerance ?? CLOCK_TOLERANCE;
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
    const url = this.#options.serverMetadataUrl;
    const response = await this.#fetch(url, { headers: { accept: "application/json" } });
    await classifyDiscovery(response, this.#issuer, url);
    return await oauth.processDiscoveryResponse(this.#issuer, response);
  }

  /** Builds the authorization request URL (PKCE S256, state, nonce). */
  async authorizationUrl(params: AuthorizationParams): Promise<URL> {
    return await authorizationUrl(await this.metadata(), this.#options.clientId, params);
  }

  /** Handles the callback: checks the response, exchanges the code, validates the ID token. */
  async exchangeCode(callback: URL, expected: {
    state: string;
    nonce: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<TokenResult> {
    const as = await this.metadata();
    const client = this.#client();
    const error = callback.searchParams.get("error");
    if (error === "access_denied") {
      throw new LoginError(
        "access_denied",
        "The login was cancelled or refused at the identity provider.",
      );
    }
    if (error !== null) {
      throw new LoginError(
        "login_failed",
        `The identity provider answered ${JSON.stringify(error.slice(0, 64))}.`,
      );
    }
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, client, callback, expected.state);
    } catch {
      throw new LoginError("login_failed", "The identity provider's answer is invalid.");
    }
    const refused: Refused = (message) => new LoginError("login_failed", message);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      this.#auth(as),
      params,
      expected.redirectUri,
      expected.codeVerifier,
      this.#requestOptions(),
    );
    await classifyTokenResponse(response, "token endpoint", refused);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: expected.nonce,
      requireIdToken: true,
    }).catch(() => {
      throw refused("The identity provider's token answer is invalid.");
    });
    return await this.#result(tokens, refused);
  }

  /**
   * Refreshes at the token endpoint to learn who holds `refreshToken` now.
   * The new ID token, or else userinfo, must name the same issuer and
   * subject (OIDC Core §12.2).
   */
  async refresh(
    refreshToken: string,
    expected: { iss: string; sub: string },
  ): Promise<TokenResult> {
    const as = await this.metadata();
    const client = this.#client();
    // Only the provider's word kills a grant: invalid_grant, or another
    // subject or issuer. Any other OAuth error blames our registration, and an
    // answer we cannot read (token answer, ID token, key set, userinfo) is an
    // outage: the grant stays, and the next use tries again.
    const refused: Refused = (message, code) =>
      code === "invalid_grant"
        ? new TokenRefused(message)
        : new ProviderMisconfigured(`the token endpoint refused a refresh: ${message}`);
    const unreadable: Refused = (message) => new ProviderUnavailable(message);
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      this.#auth(as),
      refreshToken,
      this.#requestOptions(),
    );
    await classifyTokenResponse(response, "token endpoint", refused);
    const tokens = await oauth.processRefreshTokenResponse(as, client, response).catch(() => {
      throw unreadable("the token endpoint's answer to a refresh is invalid");
    });
    const result = await this.#result(tokens, unreadable, expected.sub);
    if (result.identity.iss !== expected.iss || result.identity.sub !== expected.sub) {
      throw new TokenRefused("the refreshed identity does not match the token's");
    }
    return result;
  }

  /**
   * Revokes a refresh token at the provider when it lists a revocation endpoint (RFC 7009).
   * @returns Whether the provider confirmed it.
   */
  async revoke(refreshToken: string): Promise<boolean> {
    const as = await this.metadata();
    if (!as.revocation_endpoint) return false;
    const response = await oauth.revocationRequest(
      as,
      this.#client(),
      this.#auth(as),
      refreshToken,
      {
        ...this.#requestOptions(),
        additionalParameters: { token_type_hint: "refresh_token" },
      },
    );
    await oauth.processRevocationResponse(response);
    return true;
  }

  /**
   * Where to send the browser to log out at the provider (OpenID Connect
   * RP-Initiated Logout 1.0 §2), or `undefined` when it has no
   * `end_session_endpoint`.
   */
  async endSessionUrl(params: EndSessionParams): Promise<URL | undefined> {
    return endSessionUrl(await this.metadata(), this.#options.clientId, params);
  }

  /**
   * The identity of a token answer: the ID token's claims, completed by
   * userinfo when they carry no email (OIDC Core §5.4 lets a provider put scope
   * claims there only), whose `sub` must be the ID token's (§5.3.2).
   */
  async #result(
    response: oauth.TokenEndpointResponse,
    refused: Refused,
    expectedSubject?: string,
  ): Promise<TokenResult> {
    let claims: JWTPayload | undefined;
    if (response.id_token) {
      claims = await this.#verifyIdToken(response.id_token).catch((error) => {
        if (error instanceof ProviderUnavailable) throw error;
        throw refused("The ID token's signature or claims are invalid.");
      });
    }
    const subject = claims?.sub ?? expectedSubject;
    if (subject === undefined) throw refused("The identity provider sent no ID token.");
    if (typeof claims?.email !== "string") {
      const info = await this.#userinfo(response.access_token, subject, refused);
      claims = withUserinfo(claims, info, subject, (await this.metadata()).issuer);
    }
    const lifetime = Math.min(Math.max(response.expires_in ?? 3600, 0), 86_400);
    return {
      identity: identityOf(claims, refused),
      refreshToken: response.refresh_token,
      ...(response.id_token ? { idToken: response.id_token } : {}),
      expiresAt: this.#options.clock() + lifetime * 1000,
    };
  }

  async #verifyIdToken(idToken: string): Promise<JWTPayload> {
    const as = await this.metadata();
    if (!as.jwks_uri) throw new ProviderUnavailable("no jwks_uri");
    this.#verifier ??= new IdTokenVerifier(as.jwks_uri, this.#fetch);
    return await this.#verifier.verify(idToken, {
      issuer: as.issuer,
      audience: this.#options.clientId,
      now: this.#options.clock(),
      clockTolerance: this.#tolerance,
    });
  }

  async #userinfo(
    accessToken: string,
    subject: string,
    refused: Refused,
  ): Promise<oauth.UserInfoResponse> {
    const as = await this.metadata();
    if (!as.userinfo_endpoint) {
      throw refused('The identity provider sent no email (is the "email" scope requested?).');
    }
    const response = await oauth.userInfoRequest(
      as,
      this.#client(),
      accessToken,
      this.#requestOptions(),
    );
    classifyUserinfoResponse(response, refused);
    return await oauth.processUserInfoResponse(as, this.#client(), subject, response).catch(
      (error) => {
        // Another subject (OIDC Core §5.3.2) is the provider's word, not a glitch.
        if (
          error instanceof oauth.OperationProcessingError &&
          error.code === oauth.JSON_ATTRIBUTE_COMPARISON
        ) {
          throw new TokenRefused("userinfo names another subject than the token's");
        }
        throw refused("The identity provider's userinfo answer is invalid.");
      },
    );
  }

  #client(): oauth.Client {
    return {
      client_id: this.#options.clientId,
      // oauth4webapi checks iat/exp with its own idea of now: align it with the injected clock.
      [oauth.clockSkew]: Math.round((this.#options.clock() - Date.now()) / 1000),
      [oauth.clockTolerance]: this.#tolerance,
    };
  }

  #auth(as: oauth.AuthorizationServer): oauth.ClientAuth {
    const secret = this.#options.clientSecret;
    const method = chooseAuthMethod(
      this.#options.tokenEndpointAuthMethod,
      secret !== undefined,
      as,
    );
    return clientAuth(method, secret);
  }

  #requestOptions(): { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]: boolean } {
    return { [oauth.customFetch]: this.#fetch, [oauth.allowInsecureRequests]: this.#insecure };
  }
}
