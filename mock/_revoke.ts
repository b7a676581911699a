// The revocation endpoint (RFC 7009).
import { formParams, OAuthError, required } from "./_http.ts";
import type { MockState } from "./_state.ts";

/**
 * Revokes a refresh or access token. Unknown tokens get a 200 too (RFC 7009
 * §2.2): the client's goal, that the token be unusable, is met. A token issued
 * to another client is refused (RFC 7009 §2.1). `token_type_hint` is only a
 * hint, and the mock looks everywhere anyway.
 */
export async function revoke(state: MockState, request: Request): Promise<Response> {
  const params = await formParams(request);
  const client = state.clients.authenticate(request, params);
  const token = required(params, "token");
  const owner = state.grants.ownerOf(token);
  if (owner !== undefined && owner !== client) {
    throw new OAuthError("invalid_request", "The token was issued to another client.");
  }
  state.grants.revoke(token);
  return new Response(null, { status: 200 });
}
