// The error `CapabilitySet` throws for a bad email or capability name, with a
// code the HTTP layer and the CLI turn into their own answers.

/** Why `CapabilitySet` refused a change: the HTTP layer answers 400 with it. */
export type CapabilityErrorCode = "unknown_capability" | "invalid_email";

/**
 * A bad email or capability name given to `CapabilitySet.set`, `add` or
 * `remove`. `code` says which; the message is safe to show (the offending
 * value is escaped and cut short).
 *
 * @example
 * ```ts
 * import { CapabilityError, CapabilitySet } from "@easy-oauth/hono";
 *
 * const capabilities = new CapabilitySet({ graph: { read: [] } });
 * try {
 *   await capabilities.add("ann@example.com", "reed");
 * } catch (error) {
 *   if (error instanceof CapabilityError) error.code; // "unknown_capability"
 * }
 * ```
 */
export class CapabilityError extends Error {
  /** What was wrong. */
  readonly code: CapabilityErrorCode;

  /**
   * Makes an error with a code for the HTTP layer.
   *
   * @param code What was wrong.
   * @param message A sentence for humans.
   */
  constructor(code: CapabilityErrorCode, message: string) {
    super(message);
    this.name = "CapabilityError";
    this.code = code;
  }
}
