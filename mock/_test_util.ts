// Shared by the mock's own tests (not published): requests driven in process
// through provider.fetch.
import assert from "node:assert/strict";
import type { MockProvider } from "./mod.ts";

export const BASE = "http://idp.test";
export const REDIRECT = "http://localhost:3000/auth";

export function basic(clientId: string, secret = "secret"): string {
  return "Basic " + btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`);
}

/** A form POST to the provider; the status, headers and parsed body. */
export async function post(
  provider: MockProvider,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = { Authorization: basic("app") },
) {
  const response = await provider.fetch(
    new Request(BASE + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(params),
    }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** An authorization request with usual parameters; `undefined` leaves one out. */
export function authorizeRequest(params: Record<string, string | undefined> = {}): Request {
  const query = new URLSearchParams();
  const all = {
    client_id: "app",
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid email",
    state: "st",
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) query.set(k, v);
  return new Request(`${BASE}/oauth2/auth?${query}`);
}

/** Logs in through /oauth2/auth and returns the code. */
export async function codeFor(provider: MockProvider, params: Record<string, string> = {}) {
  const response = await provider.fetch(authorizeRequest(params));
  const code = new URL(response.headers.get("Location")!).searchParams.get("code");
  assert.ok(code, "the authorization request succeeded");
  return code;
}

/** Logs in through /oauth2/auth and /oauth2/token; the token response's body. */
export async function login(provider: MockProvider, params: Record<string, string> = {}) {
  const code = await codeFor(provider, params);
  const answer = await post(provider, "/oauth2/token", {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
  });
  assert.equal(answer.status, 200);
  return answer.body;
}

export const refresh = (provider: MockProvider, token: string, headers?: Record<string, string>) =>
  post(provider, "/oauth2/token", { grant_type: "refresh_token", refresh_token: token }, headers);

export async function userinfo(provider: MockProvider, accessToken: string) {
  const response = await provider.fetch(
    new Request(`${BASE}/oauth2/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } }),
  );
  return { status: response.status, headers: response.headers, body: await response.json() };
}
