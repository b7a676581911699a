// The checks of what `CapabilitySet` is given: the `userOverrides` option at
// construction, and the email and capability of each change.
import { canonicalEmail, emailProblem, invalidEmailMessage, quoteForMessage } from "../_email.ts";
import { CapabilityError } from "./capability_error.ts";
import type { CapabilityGraph } from "./graph.ts";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Each overridden email's capabilities, closures applied on top of `authenticated`. */
export function readOverrides(
  graph: CapabilityGraph,
  overrides: unknown,
  authenticated: ReadonlySet<string>,
): Map<string, ReadonlySet<string>> {
  const result = new Map<string, ReadonlySet<string>>();
  if (overrides === undefined) return result;
  if (!isRecord(overrides)) {
    throw new TypeError('"userOverrides" must be an object mapping emails to capabilities');
  }
  for (const [email, list] of Object.entries(overrides)) {
    const problem = emailProblem(email);
    if (problem) {
      throw new TypeError(
        `userOverrides: ${quoteForMessage(email)} is not an email (it ${problem})`,
      );
    }
    const names = graph.list(list, `userOverrides.${email}`);
    result.set(canonicalEmail(email), graph.closureOf(names, authenticated));
  }
  return result;
}

export function checkEmail(email: unknown): void {
  const message = invalidEmailMessage(email);
  if (message !== null) throw new CapabilityError("invalid_email", message);
}

export function checkName(graph: CapabilityGraph, name: unknown): string {
  if (typeof name === "string" && graph.has(name)) return name;
  throw new CapabilityError("unknown_capability", graph.unknown(name));
}
