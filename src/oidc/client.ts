/**
 * The OpenID Connect relying party: discovery, the authorization request with
 * PKCE, state and nonce, the code exchange, refresh and revocation, built on
 * `oauth4webapi`, with ID-token signatures verified by `jose` against the
 * provider's JWKS (oauth4webapi checks claims but not signatures).
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import {
  expectedIssuer,
  type Identity,
  isLoopback,
  LoginError,
  ProviderMisconfigured,
  ProviderUnavailable,
  TokenRefused,
} from "./_checks.ts";
import { classifyTokenResponse, OfflineNotAllowed } from "./_classify.ts";
import { type LoginPolicy, NotAllowed } from "./_allowed.ts";
import type { TokenEndpointAuthMethod } from "./_client_auth.ts";
import {
  type AuthorizationParams,
  authorizationUrl,
  type EndSessionParams,
  endSessionUrl,
} from "./_front_channel.ts";
import { CLOCK_TOLERANCE, type OidcClientOptions, Provider } from "./_provider.ts";
import { InvalidLogoutToken, type LogoutClaims, LogoutTokenVerifier } from "./_logout_token.ts";
import {
  LONGEST_ANSWER,
  type Refused,
  SUBJECT_MISMATCH,
  type TokenResult,
  tokenResult,
} from "./_token_answer.ts";

export {
  CLOCK_TOLERANCE,
  expectedIssuer,
  type Identity,
  InvalidLogoutToken,
  isLoopback,
  LoginError,
  type LoginPolicy,
  type LogoutClaims,
  LONGEST_ANSWER,
  NotAllowed,
  OfflineNotAllowed,
  type OidcClientOptions,
  ProviderMisconfigured,
  ProviderUnavailable,
  type TokenEndpointAuthMethod,
  TokenRefused,
  type TokenResult,
};

/** How the client logs the provider out (`providerLogout`). */
export interface LogoutSettings {
  /** Whether `/logout` logs out at the provider too. */
  wanted: boolean;
  /** The logout URL when discovery lists no `end_session_endpoint`. */
  url?: string | undefined;
  /** Told once, at the first discovery, when `wanted` but no logout endpoint is known. */
  log: (message: string) => void;
}

/** An OpenID Connect client for one provider and one registered client. */
export class OidcClient {
  readonly #provider: Provider;
  readonly #logout: LogoutSettings | undefined;
  #checkedLogout = false;
  #logoutVerifier?: LogoutTokenVerifier;

  constructor(options: OidcClientOptions, logout?: LogoutSettings) {
    this.#provider = new Provider(options);
    this.#logout = logout;
  }

  /** The provider's metadata, fetched on first use and kept; a failure is retried after a pause. */
  async metadata(): Promise<oauth.AuthorizationServer> {
    const as = await this.#provider.metadata();
    if (!this.#checkedLogout) {
      this.#checkedLogout = true;
      const logout = this.#logout;
      if (logout?.wanted && !as.end_session_endpoint && !logout.url) {
        logout.log(
          "providerLogout is on, but the identity provider's discovery document lists no " +
            "end_session_endpoint: /logout ends the app's session only; set providerLogoutUrl " +
            "to the provider's logout URL (Auth0: https://TENANT.auth0.com/v2/logout)",
        );
      }
    }
    return as;
  }

  /** Builds the authorization request URL (PKCE S256, state, nonce). */
  async authorizationUrl(params: AuthorizationParams): Promise<URL> {
    return await authorizationUrl(await this.metadata(), this.#provider.options.clientId, params);
  }

  /** Handles the callback: checks the response, exchanges the code, validates the ID token. */
  async exchangeCode(callback: URL, expected: {
    state: string;
    nonce: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<TokenResult> {
    const as = await this.metadata();
    const client = this.#provider.client();
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
      this.#provider.auth(as),
      params,
      expected.redirectUri,
      expected.codeVerifier,
      this.#provider.requestOptions(),
    );
    await classifyTokenResponse(response, "token endpoint", refused);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: expected.nonce,
      requireIdToken: true,
    }).catch(() => {
      throw refused("The identity provider's token answer is invalid.");
    });
    return await tokenResult(this.#provider, tokens, refused).catch((error) => {
      // allowedDomains or allowedTenants: the provider vouched, the app says no.
      throw error instanceof NotAllowed ? new LoginError("access_denied", error.message) : error;
    });
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
    const client = this.#provider.client();
    // Only the provider's word kills a grant: an error that ends it (see
    // TOKEN_ERRORS in _classify.ts), or another subject or issuer. Any other
    // refusal blames our request, and an answer we cannot read (token answer,
    // ID token, key set, userinfo) is an outage: the grant stays, and the
    // next use tries again.
    const refused: Refused = (message, _code, ended) =>
      ended
        ? new TokenRefused(message)
        : new ProviderMisconfigured(`the token endpoint refused a refresh: ${message}`);
    const unreadable: Refused = (message, code) =>
      code === SUBJECT_MISMATCH ? new TokenRefused(message) : new ProviderUnavailable(message);
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      this.#provider.auth(as),
      refreshToken,
      this.#provider.requestOptions(),
    );
    await classifyTokenResponse(response, "token endpoint", refused).catch((error) => {
      // Offline access withdrawn from the person (Keycloak): the grant is over.
      throw error instanceof OfflineNotAllowed ? new TokenRefused(error.message) : error;
    });
    const tokens = await oauth.processRefreshTokenResponse(as, client, response).catch(() => {
      throw unreadable("the token endpoint's answer to a refresh is invalid");
    });
    const result = await tokenResult(this.#provider, tokens, unreadable, expected.sub);
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
      this.#provider.client(),
      this.#provider.auth(as),
      refreshToken,
      {
        ...this.#provider.requestOptions(),
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
    return endSessionUrl(
      await this.metadata(),
      this.#provider.options.clientId,
      params,
      this.#logout?.url,
    );
  }

  /**
   * The claims of a valid logout token (OpenID Connect Back-Channel Logout
   * 1.0 §2.6): signed by the provider's keys, for this client, recent, with
   * the logout event, no `nonce`, and a `sid` or a `sub`.
   * @throws {InvalidLogoutToken} Saying which rule it breaks.
   * @throws {ProviderUnavailable} When the provider's keys cannot be read.
   */
  async verifyLogoutToken(token: string): Promise<LogoutClaims> {
    const as = await this.metadata();
    if (!as.jwks_uri) throw new ProviderUnavailable("no jwks_uri");
    this.#logoutVerifier ??= new LogoutTokenVerifier(as.jwks_uri, this.#provider.fetch);
    return await this.#logoutVerifier.verify(token, {
      issuer: as.issuer,
      audience: this.#provider.options.clientId,
      now: this.#provider.options.clock(),
      clockTolerance: this.#provider.tolerance,
    });
  }
}
