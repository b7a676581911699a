// How a failing or misconfigured identity provider is answered and logged.
import { errorResponse } from "../http/http.ts";
import { ProviderMisconfigured, ProviderUnavailable } from "./client.ts";

/**
 * The answer to a provider that failed (502/503 `provider_unavailable`) or
 * refused this app's configuration (502 `provider_misconfigured`), logged
 * with its cause; `undefined` for any other error. Messages of these errors
 * name endpoints and statuses, never a token or a secret.
 */
export function providerFailure(
  log: (message: string) => void,
  error: unknown,
  status: 502 | 503,
): Response | undefined {
  if (error instanceof ProviderMisconfigured) {
    log(`the identity provider refuses this app's configuration: ${error.message}`);
    return errorResponse(
      502,
      "provider_misconfigured",
      "The identity provider refuses this app's configuration; the administrator must fix it.",
    );
  }
  if (error instanceof ProviderUnavailable) {
    const cause = error.cause instanceof Error ? ` (${oneLine(error.cause.message)})` : "";
    log(`the identity provider failed: ${error.message}${cause}; answered ${status}`);
    return errorResponse(
      status,
      "provider_unavailable",
      "The identity provider cannot be reached or failed; try again later.",
    );
  }
  return undefined;
}

/** A log-safe rendering of a library's message: one line, bounded. */
function oneLine(text: string): string {
  let line = "";
  for (const char of text.slice(0, 200)) line += char < " " || char === "\x7f" ? " " : char;
  return line;
}
