// What an unexpected failure during a request becomes. A store that cannot be
// read or written (a broken file, a full disk) is a JSON 503 that names no
// secret; a write past a store's limit a 413; anything else a JSON 500. Each
// 5xx is passed to `log` with its cause, so that nothing fails silently.
import { errorCode } from "./stores/_atomic_write.ts";
import { ConfigError, StoreLimitError, StoreUnavailable } from "./errors.ts";
import { errorResponse } from "./http/http.ts";
import { ContendedGrant } from "./grants/grant_data.ts";

/**
 * Whether `error` says that a store cannot be used (not a bug of ours): a
 * file that does not parse, a system error (`EACCES`, `ENOSPC`, `EROFS`…), or a
 * `StoreUnavailable` (a database that cannot be reached).
 */
export function isStoreFailure(error: unknown): boolean {
  return error instanceof ConfigError || error instanceof StoreUnavailable ||
    /^E[A-Z]+$/.test(errorCode(error) ?? "");
}

/**
 * The response for an error thrown while answering a request, logged.
 *
 * @param log Where 5xx causes go (never a token: messages of stores and files only).
 */
export function failureResponse(log: (message: string) => void, error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreLimitError) {
    log(`easy-oauth: a write was refused: ${message}`);
    return errorResponse(
      413,
      "payload_too_large",
      `The change was refused: the store would pass its limit of ${error.limit} bytes.`,
    );
  }
  if (error instanceof ContendedGrant) {
    log(`easy-oauth: a grant record is contended (503, Retry-After 1): ${message}`);
    return errorResponse(
      503,
      "store_unavailable",
      "Too many concurrent changes of this login; try again in a second.",
      { "Retry-After": "1" },
    );
  }
  if (isStoreFailure(error)) {
    // A database's error says why (ECONNREFUSED…); a connection string never reaches it.
    const cause = error instanceof StoreUnavailable && error.cause instanceof Error
      ? ` (${error.cause.message})`
      : "";
    log(`easy-oauth: store unavailable (503): ${message}${cause}`);
    return errorResponse(
      503,
      "store_unavailable",
      "The app's storage cannot be used right now; try again later.",
    );
  }
  log(`easy-oauth: internal error (500): ${error instanceof Error ? error.stack : message}`);
  return errorResponse(500, "internal_error", "Something went wrong on our side.");
}
