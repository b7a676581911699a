// Who the mock logs in: email validation and the claims derived from an email.

/** The longest address SMTP can carry (RFC 5321 §4.5.3.1.3). */
const MAX_EMAIL_LENGTH = 254;

// Deliberately plain ASCII: a local part without spaces, quotes, brackets or
// separators, and a domain of DNS labels. No dot is required in the domain so that
// tests can log in as `bot@service` and check that the relying party refuses it.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Whether `value` is an email address the mock accepts as a user. */
export function isValidEmail(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
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
