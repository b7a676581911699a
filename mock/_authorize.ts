// The authorization endpoint: validates the request and logs the user in at once.
import { identityFor, isValidEmail } from "./_email.ts";
import { PATHS, SCOPES } from "./_discovery.ts";
import type { CodeGrant } from "./_grants.ts";
import { formParams, OAuthError, rejectRepeated, required } from "./_http.ts";
import { errorPage, respond, type ResponseMode, responseMode } from "./_respond.ts";
import { fromOwnPage, issuerOf, type MockState } from "./_state.ts";
import { loginChoice, loginPage } from "./_login_page.ts";

const PKCE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Answers an authorization request (GET, or POST as OpenID Connect Core §3.1.2.1
 * allows) with a 302 back to the client carrying `code` and `state` (or, for
 * `response_mode=form_post`, a page that posts them).
 *
 * Until `client_id` and `redirect_uri` are known to be sound (and registered,
 * when clients are), errors are a 400 JSON answer: redirecting to an unvalidated
 * URI would make the mock an open redirector (RFC 6749 §4.1.2.1). After that,
 * errors travel back to the client.
 */
export async function authorize(state: MockState, request: Request): Promise<Response> {
  let params: URLSearchParams, clientId: string, redirectUri: string;
  try {
    params = request.method === "POST"
      ? await formParams(request)
      : new URL(request.url).searchParams;
    rejectRepeated(params);
    clientId = required(params, "client_id");
    redirectUri = validRedirectUri(params.get("redirect_uri"));
    state.clients.checkRedirect(clientId, redirectUri);
  } catch (err) {
    if (err instanceof OAuthError) return errorPage(request, err);
    throw err;
  }
  let mode: ResponseMode = "query";
  const back = (values: Record<string, string | undefined>) =>
    respond(redirectUri, mode, {
      ...values,
      state: params.get("state") ?? undefined,
      iss: issuerOf(state, request),
    });
  try {
    mode = responseMode(params);
    refuseRequestObjects(params);
    // The page's choice counts only as its own form posted it: fields in a
    // link's query, or in another site's form, show the page again.
    const choice = request.method === "POST" && fromOwnPage(state, request)
      ? loginChoice(params)
      : undefined;
    if (choice === undefined && state.controls.loginPage) {
      if ((params.get("prompt") ?? "").split(" ").includes("none")) {
        throw new OAuthError("login_required", "The login page needs a person.");
      }
      const action = issuerOf(state, request) + PATHS.authorization;
      const hint = params.get("login_hint");
      const email = hint !== null && isValidEmail(hint) ? hint : state.currentEmail();
      return loginPage(action, params, email, state.controls.recent);
    }
    if (choice?.action === "deny") {
      return back({ error: "access_denied", error_description: "The user denied the request." });
    }
    const grant = await codeGrant(state, params, clientId, redirectUri, choice?.email);
    state.controls.loggedIn(grant.identity.email, choice?.name);
    const code = state.grants.issueCode(grant);
    return back({ code });
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    return back({ error: err.code, error_description: err.message });
  }
}

function validRedirectUri(value: string | null): string {
  if (value === null || value === "") {
    throw new OAuthError("invalid_request", 'The "redirect_uri" parameter is missing.');
  }
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new OAuthError("invalid_request", '"redirect_uri" must be an absolute http(s) URL.');
  }
  if (value.includes("#")) {
    // RFC 6749 §3.1.2: the redirection endpoint URI must not include a fragment.
    throw new OAuthError("invalid_request", '"redirect_uri" must not have a fragment.');
  }
  return value;
}

async function codeGrant(
  state: MockState,
  params: URLSearchParams,
  clientId: string,
  redirectUri: string,
  chosenEmail: string | undefined,
): Promise<CodeGrant> {
  const responseType = required(params, "response_type");
  if (responseType !== "code") {
    throw new OAuthError("unsupported_response_type", 'Only response_type "code" is supported.');
  }
  const scopes = requestedScopes(params);
  const codeChallenge = pkceChallenge(params);
  const email = chosenEmail ?? loginEmail(state, params);
  const prompt = (params.get("prompt") ?? "").split(" ");
  const accessType = params.get("access_type") ?? "online";
  if (accessType !== "online" && accessType !== "offline") {
    throw new OAuthError("invalid_request", '"access_type" must be "online" or "offline".');
  }
  return {
    clientId,
    redirectUri,
    scope: scopes.join(" "),
    identity: await identityFor(email),
    authTime: state.sessions.authenticate(email, {
      maxAge: maxAge(params),
      // A person who just logged in on the login page authenticated now.
      forceLogin: prompt.includes("login") || chosenEmail !== undefined,
    }),
    // Like Google: a refresh token only when asked for, so the client can tell.
    offline: scopes.includes("offline_access") || accessType === "offline",
    nonce: params.get("nonce") || undefined,
    codeChallenge,
  };
}

/**
 * Request objects are not supported: say so rather than ignore them, since
 * their parameters would override the query's (OpenID Connect Core §6.1, §6.2).
 */
function refuseRequestObjects(params: URLSearchParams): void {
  if (params.has("request")) {
    throw new OAuthError("request_not_supported", 'The "request" parameter is not supported.');
  }
  if (params.has("request_uri")) {
    throw new OAuthError(
      "request_uri_not_supported",
      'The "request_uri" parameter is not supported.',
    );
  }
}

/** `max_age` in seconds, if sent (OpenID Connect Core §3.1.2.1). */
function maxAge(params: URLSearchParams): number | undefined {
  const value = params.get("max_age");
  if (value === null) return undefined;
  if (!/^\d{1,10}$/.test(value)) {
    throw new OAuthError("invalid_request", '"max_age" must be a whole number of seconds.');
  }
  return Number(value);
}

/** The known scopes among those requested; `openid` is required (OpenID Connect Core §3.1.2.1). */
function requestedScopes(params: URLSearchParams): string[] {
  const requested = (params.get("scope") ?? "").split(" ").filter((s) => s !== "");
  if (!requested.includes("openid")) {
    throw new OAuthError("invalid_scope", 'The "scope" must include "openid".');
  }
  // RFC 6749 §3.3: unknown scopes are ignored; the token response says what was granted.
  return SCOPES.filter((s) => requested.includes(s));
}

/** The S256 challenge, if any (RFC 7636 §4.3); `plain` is refused (RFC 9700 §2.1.1). */
function pkceChallenge(params: URLSearchParams): string | undefined {
  const challenge = params.get("code_challenge");
  const method = params.get("code_challenge_method");
  if (challenge === null) {
    if (method !== null) {
      throw new OAuthError("invalid_request", '"code_challenge_method" without "code_challenge".');
    }
    return undefined;
  }
  if (method !== "S256") {
    throw new OAuthError("invalid_request", 'Only code_challenge_method "S256" is supported.');
  }
  if (!PKCE_CHALLENGE.test(challenge)) {
    throw new OAuthError("invalid_request", '"code_challenge" is malformed.');
  }
  return challenge;
}

/** `login_hint` picks the user for this one login; else the provider's current email. */
function loginEmail(state: MockState, params: URLSearchParams): string {
  const hint = params.get("login_hint");
  if (hint === null) return state.currentEmail();
  if (!isValidEmail(hint)) {
    throw new OAuthError("invalid_request", '"login_hint" must be an email address.');
  }
  return hint;
}
