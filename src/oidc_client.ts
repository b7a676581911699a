/**
 * The OpenID Connect relying party: discovery, the authorization request with
 * PKCE, state and nonce, the code exchange, refresh and revocation, built on
 * `oauth4webapi`, with ID-token signatures verified by `jose` against the
 * provider's JWKS (oauth4webapi checks claims but not signatures).
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from "jose";
import { boundedFetch } from "./_provider_fetch.ts";
import {
  expectedIssuer,
  type Identity,
  identityOf,
  isLoopback,
  LoginError,
  ProviderUnavailable,
  TokenRefused,
} from "./_oidc_checks.ts";

export { expectedIssuer, type Identity, isLoopback, LoginError, ProviderUnavailable, TokenRefused };

/** The result of a code exchange or a refresh. */
export interface TokenResult {
  identity: Identity;
  /** The provider's refresh token, when it gave one. */
  refreshToken?: string;
  /** Until when (epoch ms) the answer may be relied upon (the access token's lifetime). */
  expiresAt: number;
}

/** Options of {@link OidcClient}. */
export interface OidcClientOptions {
  serverMetadataUrl: string;
  clientId: string;
  clientSecret?: string;
  fetch: typeof fetch;
  clock: () => number;
  /** Seconds of clock difference allowed with the provider (`exp`, `nbf`, and `iat` ahead of now). */
  clockTolerance?: number;
}

const ID_TOKEN_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];
/** Tolerance for clock differences with the provider, in seconds, by default. */
export const CLOCK_TOLERANCE = 300;
/** How long a failed discovery is remembered before trying again (ms). */
const DISCOVERY_RETRY_MS = 5_000;

/** An OpenID Connect client for one provider and one registered client. */
export class OidcClient {
  readonly #options: OidcClientOptions;
  readonly #fetch: typeof fetch;
  readonly #issuer: URL;
  readonly #insecure: boolean;
  readonly #tolerance: number;
  #metadata?: Promise<oauth.AuthorizationServer>;
  #failedAt = -Infinity;
  #jwks?: ReturnType<typeof createRemoteJWKSet>;

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
        throw cause instanceof ProviderUnavailable
          ? cause
          : new ProviderUnavailable("the identity provider's discovery document is invalid", {
            cause,
          });
      });
    }
    return this.#metadata;
  }

  async #discover(): Promise<oauth.AuthorizationServer> {
    const response = await this.#fetch(this.#options.serverMetadataUrl, {
      headers: { accept: "application/json" },
    });
    return await oauth.processDiscoveryResponse(this.#issuer, response);
  }

  /** Builds the authorization request URL (PKCE S256, state, nonce). */
  async authorizationUrl(params: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeVerifier: string;
    extra: Readonly<Record<string, string>>;
    offline: boolean;
    loginHint?: string;
  }): Promise<URL> {
    const as = await this.metadata();
    if (!as.authorization_endpoint) throw new ProviderUnavailable("no authorization_endpoint");
    const url = new URL(as.authorization_endpoint);
    const scope = new Set((params.extra.scope ?? "openid email").split(/\s+/).filter(Boolean));
    scope.add("openid");
    for (const [key, value] of Object.entries(params.extra)) url.searchParams.set(key, value);
    if (params.offline) {
      if (as.scopes_supported?.includes("offline_access")) scope.add("offline_access");
      // Google's way of asking for a refresh token.
      url.searchParams.set("access_type", "offline");
      url.searchParams.set("prompt", "consent");
    }
    url.searchParams.set("scope", [...scope].join(" "));
    url.searchParams.set("client_id", this.#options.clientId);
    url.searchParams.set("redirect_uri", params.redirectUri);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("state", params.state);
    url.searchParams.set("nonce", params.nonce);
    url.searchParams.set(
      "code_challenge",
      await oauth.calculatePKCECodeChallenge(params.codeVerifier),
    );
    url.searchParams.set("code_challenge_method", "S256");
    if (params.loginHint) url.searchParams.set("login_hint", params.loginHint);
    return url;
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
    return await this.#token(async () => {
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        this.#auth(as),
        params,
        expected.redirectUri,
        expected.codeVerifier,
        this.#requestOptions(),
      );
      return await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: expected.nonce,
        requireIdToken: true,
      });
    }, (message) => new LoginError("login_failed", message));
  }

  /**
   * Refreshes at the token endpoint to learn who holds `refreshToken` now.
   * The new ID token must name the same issuer and subject (OIDC Core §12.2).
   */
  async refresh(
    refreshToken: string,
    expected: { iss: string; sub: string },
  ): Promise<TokenResult> {
    const as = await this.metadata();
    const client = this.#client();
    const result = await this.#token(
      async () => {
        const response = await oauth.refreshTokenGrantRequest(
          as,
          client,
          this.#auth(as),
          refreshToken,
          this.#requestOptions(),
        );
        return await oauth.processRefreshTokenResponse(as, client, response);
      },
      (message) => new TokenRefused(message),
      expected.sub,
    );
    if (result.identity.iss !== expected.iss || result.identity.sub !== expected.sub) {
      throw new TokenRefused("the refreshed identity does not match the token's");
    }
    return result;
  }

  /** Revokes a refresh token at the provider when it lists a revocation endpoint (RFC 7009). */
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

  async #token(
    grant: () => Promise<oauth.TokenEndpointResponse>,
    refused: (message: string) => Error,
    userinfoSubject?: string,
  ): Promise<TokenResult> {
    let response: oauth.TokenEndpointResponse;
    try {
      response = await grant();
    } catch (cause) {
      if (cause instanceof ProviderUnavailable) throw cause;
      if (cause instanceof oauth.ResponseBodyError && cause.status < 500) {
        throw refused(`The identity provider refused the grant ("${cause.error}").`);
      }
      if (
        cause instanceof oauth.ResponseBodyError ||
        cause instanceof oauth.WWWAuthenticateChallengeError
      ) {
        throw new ProviderUnavailable("the identity provider failed", { cause });
      }
      throw refused("The identity provider's token answer is invalid.");
    }
    const claims = response.id_token
      ? await this.#verifyIdToken(response.id_token).catch(() => {
        throw refused("The ID token's signature or claims are invalid.");
      })
      : await this.#userinfo(response.access_token, userinfoSubject, refused);
    const lifetime = Math.min(Math.max(response.expires_in ?? 3600, 0), 86_400);
    return {
      identity: identityOf(claims, refused),
      refreshToken: response.refresh_token,
      expiresAt: this.#options.clock() + lifetime * 1000,
    };
  }

  async #verifyIdToken(idToken: string): Promise<JWTPayload> {
    const as = await this.metadata();
    if (!as.jwks_uri) throw new ProviderUnavailable("no jwks_uri");
    this.#jwks ??= createRemoteJWKSet(new URL(as.jwks_uri), {
      timeoutDuration: 10_000,
      [customFetch]: (url, init) => this.#fetch(url, init),
    });
    const { payload } = await jwtVerify(idToken, this.#jwks, {
      algorithms: ID_TOKEN_ALGORITHMS,
      issuer: as.issuer,
      audience: this.#options.clientId,
      currentDate: new Date(this.#options.clock()),
      clockTolerance: this.#tolerance,
      requiredClaims: ["sub", "iat", "exp"],
    });
    // jose checks that iat is a number, not that it is not in the future.
    if ((payload.iat as number) > this.#options.clock() / 1000 + this.#tolerance) {
      throw new Error("the ID token was issued in the future");
    }
    return payload;
  }

  async #userinfo(
    accessToken: string,
    subject: string | undefined,
    refused: (message: string) => Error,
  ): Promise<JWTPayload> {
    const as = await this.metadata();
    if (subject === undefined) throw refused("The identity provider sent no ID token.");
    const response = await oauth.userInfoRequest(
      as,
      this.#client(),
      accessToken,
      this.#requestOptions(),
    );
    return await oauth.processUserInfoResponse(as, this.#client(), subject, response).then(
      (info) => ({ ...info, iss: as.issuer }),
      () => {
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
    if (!secret) return oauth.None();
    const methods = as.token_endpoint_auth_methods_supported;
    return methods && !methods.includes("client_secret_basic") &&
        methods.includes("client_secret_post")
      ? oauth.ClientSecretPost(secret)
      : oauth.ClientSecretBasic(secret);
  }

  #requestOptions(): { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]: boolean } {
    return { [oauth.customFetch]: this.#fetch, [oauth.allowInsecureRequests]: this.#insecure };
  }
}
