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
import { classifyTokenResponse } from "./_classify.ts";
import { type LoginPolicy, NotAllowed } from "./_allowed.ts";
import type { TokenEndpointAuthMethod } from "./_client_auth.ts";
import {
  type AuthorizationParams,
  authorizationUrl,
  type EndSessionParams,
  endSessionUrl,
} from "./_front_channel.ts";
import { CLOCK_TOLERANCE, type OidcClientOptions, Provider } from "./_provider.ts";
import { type Refused, type TokenResult, tokenResult } from "./_token_answer.ts";

export {
  CLOCK_TOLERANCE,
  expectedIssuer,
  type Identity,
  isLoopback,
  LoginError,
  type LoginPolicy,
  NotAllowed,
  type OidcClientOptions,
  ProviderMisconfigured,
  ProviderUnavailable,
  type TokenEndpointAuthMethod,
  TokenRefused,
  type TokenResult,
};

/** An OpenID Connect client for one provider and one registered client. */
export class OidcClient {
  readonly #provider: Provider;

  constructor(options: OidcClientOptions) {
    this.#provider = new Provider(options);
  }

  /** The provider's metadata, fetched on first use and kept; a failure is retried after a pause. */
  metadata(): Promise<oauth.AuthorizationServer> {
    return this.#provider.metadata();
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
      this.#provider.auth(as),
      refreshToken,
      this.#provider.requestOptions(),
    );
    await classifyTokenResponse(response, "token endpoint", refused);
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
    return endSessionUrl(await this.metadata(), this.#provider.options.clientId, params);
  }
}
