// Who the mock logs in: email validation and the claims derived from an email.
import { emailProblem } from "../src/_email.ts";

/**
 * Whether `value` is an email address the mock accepts as a user: the same
 * rule as the manager's account names, so `bot@service` passes too (tests can
 * check that the relying party refuses it as a login).
 */
export function isValidEmail(value: unknown): value is string {
  return emailProblem(value) === null;
}

/**
 * A stable subject identifier for `email`: the hex SHA-256 of the address, so
 * that each email has its own `sub`, the same in every run of the mock.
 */
export async function subjectFor(email: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(email));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A display name made from the local part: `jane.doe@x.org` → `"Jane Doe"`. */
export function nameFor(email: string): string {
  const local = email.slice(0, email.lastIndexOf("@"));
  const words = local.split(/[._+-]+/).filter((w) => w.length > 0);
  if (words.length === 0) return local;
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");
}
