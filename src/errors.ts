/**
 * Error codes and error classes shared by the whole module.
 *
 * @module
 */

/**
 * The `error` codes of the JSON bodies this module answers with
 * (`{"error": "<code>", "detail": "<human sentence>"}`), so that callers can
 * `switch` on them instead of matching messages.
 *
 * @example
 * ```ts
 * import type { ErrorCode } from "@easy-oauth/hono";
 * const code: ErrorCode = "forbidden";
 * ```
 */
export type ErrorCode =
  | "unauthenticated"
  | "invalid_token"
  | "forbidden"
  | "invalid_request"
  | "unsupported_media_type"
  | "payload_too_large"
  | "cross_site_request"
  | "invalid_state"
  | "access_denied"
  | "login_failed"
  | "provider_unavailable"
  | "provider_misconfigured"
  | "offline_not_allowed"
  | "too_many_tokens"
  | "too_many_requests"
  | "store_unavailable"
  | "internal_error"
  | "not_implemented"
  | "not_found";

/**
 * The JSON body of every error response of this module.
 *
 * @example
 * ```ts
 * import type { ErrorBody } from "@easy-oauth/hono";
 * const body: ErrorBody = { error: "forbidden", detail: "You lack the \"write\" capability." };
 * ```
 */
export interface ErrorBody {
  /** A stable, machine-readable code. */
  error: ErrorCode;
  /** A sentence for humans. It never contains a token or a secret. */
  detail: string;
}

/**
 * A configuration problem: a bad key or value in a configuration file or
 * object, or a bad entry in a capability file. `path` says where
 * (`["capabilities", "graph", "write"]`), `file` which file, when there is one.
 *
 * @example
 * ```ts
 * import { ConfigError } from "@easy-oauth/hono";
 * const err = new ConfigError('"reed" is not a capability', {
 *   path: ["capabilities", "graph", "write"],
 *   file: "config.yaml",
 * });
 * err.message; // 'config.yaml: capabilities.graph.write: "reed" is not a capability'
 * ```
 */
export class ConfigError extends Error {
  /** The keys leading to the offending value, outermost first. */
  readonly path: readonly (string | number)[];
  /** The file the value came from, when it came from a file. */
  readonly file: string | undefined;
  /** The problem alone, without the file and the path. */
  readonly problem: string;

  /**
   * Makes an error whose message is `file: dotted.path: problem`.
   *
   * @param problem What is wrong, as a sentence fragment.
   * @param where The path of the offending key and the file it came from.
   */
  constructor(
    problem: string,
    where: {
      path?: readonly (string | number)[] | undefined;
      file?: string | undefined;
      cause?: unknown;
    } = {},
  ) {
    const path = where.path ?? [];
    const prefix = [where.file, path.length ? path.join(".") : undefined].filter(Boolean);
    super([...prefix, problem].join(": "), { cause: where.cause });
    this.name = "ConfigError";
    this.path = path;
    this.file = where.file;
    this.problem = problem;
  }
}

/**
 * A write refused because the store would grow past what it can read back
 * (the capability file's 1 MiB limit): the request answers 413 and nothing is
 * written.
 *
 * @example
 * ```ts
 * import { StoreLimitError } from "@easy-oauth/hono";
 * const err = new StoreLimitError("caps.yaml", 1024 * 1024);
 * err.message; // "caps.yaml would pass its limit of 1048576 bytes"
 * ```
 */
export class StoreLimitError extends Error {
  /** The file (or store) that would grow too large. */
  readonly file: string;
  /** The limit, in bytes. */
  readonly limit: number;

  /**
   * Makes the error; its message names the file and the limit.
   *
   * @param file The file (or store) that would grow too large.
   * @param limit The limit, in bytes.
   */
  constructor(file: string, limit: number) {
    super(`${file} would pass its limit of ${limit} bytes`);
    this.name = "StoreLimitError";
    this.file = file;
    this.limit = limit;
  }
}

/**
 * A store (a database, a locked file) cannot be reached right now: what a
 * `CapabilityStore` or `TokenStore` throws from a write it could not make.
 * The routes answer it with a 503 `store_unavailable` and pass it to `log`
 * with its cause; credentials already known keep working from memory meanwhile.
 *
 * @example
 * ```ts
 * import { StoreUnavailable } from "@easy-oauth/hono";
 * const err = new StoreUnavailable("the database cannot be reached", { cause: new Error("ECONNREFUSED") });
 * err.message; // "the database cannot be reached"
 * ```
 */
export class StoreUnavailable extends Error {
  /**
   * Makes the error.
   *
   * @param message What cannot be reached, without secrets (no connection string).
   * @param options The underlying error, as `cause`.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "StoreUnavailable";
  }
}
