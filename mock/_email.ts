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
  const words = nameWords(email);
  return words.length === 0 ? email.slice(0, email.lastIndexOf("@")) : words.join(" ");
}

function nameWords(email: string): string[] {
  const local = email.slice(0, email.lastIndexOf("@"));
  const words = local.split(/[._+-]+/).filter((w) => w.length > 0);
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1));
}

/** The user a login is for, with the profile claims the mock derives from the email. */
export interface Identity {
  email: string;
  sub: string;
  name: string;
  given_name: string;
  family_name: string;
  picture: string;
}

/**
 * Everything the mock says about `email`, as upstream's mock and Google do:
 * `jane.doe@x.org` is "Jane" "Doe", `test@x.org` is "Test" with an empty
 * family name. The picture is a Gravatar identicon URL keyed by the `sub`
 * (never fetched by the mock).
 */
export async function identityFor(email: string): Promise<Identity> {
  const sub = await subjectFor(email);
  const words = nameWords(email);
  return {
    email,
    sub,
    name: nameFor(email),
    given_name: words[0] ?? "",
    family_name: words.slice(1).join(" "),
    picture: `https://www.gravatar.com/avatar/${sub}?d=identicon`,
  };
}
