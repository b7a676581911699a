/**
 * Logins the provider ended by a back-channel logout (OpenID Connect
 * Back-Channel Logout 1.0), recorded as revocations "as of now" under keys of
 * their own, so that every replica sharing the token store sees them: one per
 * provider session (`sid`) and one per person (`sub`). A session or a plain
 * login's grant made at or before that time is over; an offline login's grant
 * is not (§2.7: offline refresh tokens normally outlive the session).
 *
 * @module
 */

/** A login as a back-channel logout may name it. */
export interface LoginRef {
  iss: string;
  sub: string;
  /** The provider's session id, when the ID token carried one. */
  sid?: string | undefined;
  /** When the login happened (seconds since the epoch). */
  since: number;
}

/** What is needed of the revocation list (`Revocations`). */
export interface RevocationReader {
  isRevoked(probe: { email: string; issuedAt?: number }): boolean;
}

/**
 * What a revocation key names: a provider session (`sid`), every login of a
 * person (`sub`), a person's logins that recorded no session id
 * (`sub-without-sid`: a logout naming a session they cannot be matched to),
 * or a logout token already used (`jti`).
 */
export type LogoutKind = "sid" | "sub" | "sub-without-sid" | "jti";

/**
 * The revocation key of a provider session, person or logout token. The
 * spaces keep it apart from every account name (no email or `api:` name has one).
 */
export function logoutKey(kind: LogoutKind, iss: string, value: string): string {
  return `logout ${kind} ${iss} ${value}`;
}

/** The revocation probes that end `login` when a back-channel logout named it. */
export function logoutProbes(login: LoginRef): { email: string; issuedAt: number }[] {
  const { iss, sub, sid, since } = login;
  return [
    { email: logoutKey("sub", iss, sub), issuedAt: since },
    sid === undefined
      ? { email: logoutKey("sub-without-sid", iss, sub), issuedAt: since }
      : { email: logoutKey("sid", iss, sid), issuedAt: since },
  ];
}

/** Whether a back-channel logout ended `login` (probes from {@link logoutProbes}). */
export function loggedOut(
  revocations: RevocationReader,
  probes: readonly { email: string; issuedAt: number }[],
): boolean {
  return probes.some((probe) => revocations.isRevoked(probe));
}
