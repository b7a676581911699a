/**
 * The login flow shared by the browser routes and the headless login (the
 * `login/` folder): starting a login at the provider (this file: the state,
 * nonce and PKCE verifier go into a sealed cookie, and the browser goes to the
 * provider), turning a login's grant into a user token or ending a session
 * (`user_tokens.ts`), and handing a freshly minted token over to `/token`
 * (`handover.ts`). Both `routes/` and `headless/` import it; it imports neither.
 *
 * @module
 */
import type { Context } from "hono";
import * as oauth from "oauth4webapi";
import type { Core } from "../_core.ts";

/** What {@link beginLogin} needs to know about a login. */
export interface LoginRequest {
  callback: "auth" | "token";
  /** Whether to ask for a refresh token. */
  offline: boolean;
  /** A same-origin path to come back to. */
  next: string;
  loginHint?: string | undefined;
  prompt?: string | undefined;
  /** The headless login this one completes. */
  headless?: string | undefined;
}

/** Sends the browser to the provider, with the login's state in a sealed cookie. */
export async function beginLogin(core: Core, c: Context, request: LoginRequest): Promise<Response> {
  const login = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier: oauth.generateRandomCodeVerifier(),
    next: request.next,
    callback: request.callback,
    ...(request.offline ? { offline: true } : {}),
    ...(request.headless ? { headless: request.headless } : {}),
  };
  const extra = core.options.clientKwargs;
  let url: URL;
  try {
    url = await core.oidc!.authorizationUrl({
      redirectUri: redirectUri(core, c, request.callback),
      state: login.state,
      nonce: login.nonce,
      codeVerifier: login.verifier,
      extra: request.prompt ? { ...extra, prompt: request.prompt } : extra,
      offline: request.offline,
      loginHint: request.loginHint,
    });
  } catch (error) {
    const failure = core.providerFailure(error, 503);
    if (failure) return failure;
    throw error;
  }
  await core.sessions.startLogin(c, login);
  c.header("Cache-Control", "no-store");
  return c.redirect(url.href, 302);
}

/** The callback URL registered at the provider for `callbackName`. */
export function redirectUri(core: Core, c: Context, callbackName: "auth" | "token"): string {
  return core.origin(c) + core.path(`/${callbackName}`);
}
