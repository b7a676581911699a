// Which strings may be account keys in the capability store. Deliberately
// stricter than RFC 5322: a key ends up in a YAML file edited by hand, in
// log lines and in JSON answers, so quoting, comments and non-ASCII are out.

/** The longest address SMTP can carry (RFC 5321 §4.5.3.1.3). */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const LOCAL_CHARS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
// A DNS label (RFC 1035 §2.3.1): no hyphen at either end.
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const WHITESPACE_OR_CONTROL = /[\s\p{C}]/u;

/**
 * Why `email` is not acceptable as an account key, or `null` when it is.
 * Service accounts such as `bot@service` (a domain without a dot) are
 * accepted. The reason is a sentence fragment that follows the address:
 * `"a b@c" contains whitespace or a control character`.
 */
export function emailProblem(email: unknown): string | null {
  if (typeof email !== "string") return "is not a string";
  if (email.length === 0) return "is empty";
  if (email.length > MAX_EMAIL_LENGTH) return `is longer than ${MAX_EMAIL_LENGTH} characters`;
  if (WHITESPACE_OR_CONTROL.test(email)) return "contains whitespace or a control character";
  const at = email.indexOf("@");
  if (at === -1) return 'has no "@"';
  if (email.includes("@", at + 1)) return 'has more than one "@"';
  return localProblem(email.slice(0, at)) ?? domainProblem(email.slice(at + 1));
}

function localProblem(local: string): string | null {
  if (local.length === 0) return 'has nothing before the "@"';
  if (local.length > MAX_LOCAL_LENGTH) {
    return `has more than ${MAX_LOCAL_LENGTH} characters before the "@"`;
  }
  if (!LOCAL_CHARS.test(local)) return 'has a character not allowed before the "@"';
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return 'has a misplaced "." before the "@"';
  }
  return null;
}

function domainProblem(domain: string): string | null {
  if (domain.length === 0) return 'has nothing after the "@"';
  const labels = domain.split(".");
  if (labels.some((label) => label.length === 0)) return 'has a misplaced "." after the "@"';
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) {
    return 'has a character not allowed after the "@"';
  }
  return null;
}

/**
 * The one form of an email this module keeps and compares: the whole address
 * lowercased. The domain is case-insensitive by DNS; the local part may be
 * case-sensitive by RFC 5321 §2.4, but no major provider (Google, Microsoft,
 * GitHub, Okta…) lets two accounts differ by case alone, and providers do
 * send the spelling a person typed (`Ann@Example.com`). Service accounts
 * (`bot@service`) and API token names (`api:ci`) are lowercased the same way.
 */
export function canonicalEmail(email: string): string {
  return email.toLowerCase();
}

/**
 * The canonical key of an account revocation: an email or `api:<name>`
 * lowercased, as every lookup makes it; the back-channel logouts' `logout …`
 * keys (whose issuers and subjects are case-sensitive) as given.
 */
export function canonicalAccount(key: string): string {
  return key.startsWith("logout ") ? key : canonicalEmail(key);
}

/**
 * A client-sent value quoted for an error message: JSON-escaped (no raw
 * newline can reach a log line) and cut short; non-strings by their type only.
 */
export function quoteForMessage(value: unknown, max = 80): string {
  if (typeof value !== "string") return `a value of type ${value === null ? "null" : typeof value}`;
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/**
 * The refusal of an account key, the same wherever it is checked (an added
 * account, an account of the capability file): `"x" is not a valid email (it
 * has no "@")`, or `null` when the key is acceptable.
 */
export function invalidEmailMessage(email: unknown): string | null {
  const problem = emailProblem(email);
  return problem === null ? null : `${quoteForMessage(email)} is not a valid email (it ${problem})`;
}
