// Who may log in, beyond holding a verified email: the app's own restriction
// to email domains (and Google Workspace's `hd`) and to Entra ID tenants,
// checked on every answer of the provider, at login and at each refresh.
import type { JWTPayload } from "jose";
import { TokenRefused } from "./_checks.ts";
import { TENANT_ID } from "./_issuer.ts";

/** The restrictions, validated and lower-cased (see `allowedDomains`, `allowedTenants`). */
export interface LoginPolicy {
  allowedDomains?: readonly string[];
  allowedTenants?: readonly string[];
}

/**
 * The identity is valid but this app does not let it in: at login a refusal
 * page, at a refresh the end of the grant (it is a `TokenRefused`).
 */
export class NotAllowed extends TokenRefused {
  constructor(message: string) {
    super(message);
    this.name = "NotAllowed";
  }
}

const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/** Why `value` cannot be an entry of `allowedDomains`, or `null`. */
export function domainProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.includes("@")) return `must be a domain without "@", not ${JSON.stringify(value)}`;
  if (value.length > 253 || !value.split(".").every((label) => LABEL.test(label))) {
    return `must be a domain name like "example.com", not ${JSON.stringify(value)}`;
  }
  return null;
}

/** Why `value` cannot be an entry of `allowedTenants`, or `null`. */
export function tenantProblem(value: unknown): string | null {
  if (typeof value === "string" && TENANT_ID.test(value.toLowerCase())) return null;
  return `must be a tenant id (a GUID like "${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}"), ` +
    `not ${JSON.stringify(value)}`;
}

/**
 * Why the holder of `claims` (whose `email` is verified) may not log in, or
 * `null`. The email's domain must be listed; Google's `hd` (the Workspace
 * domain, only a hint at the login screen) too when the token carries one
 * (Google's guidance: the app must check it); Entra ID's `tid` must be listed.
 */
export function notAllowedReason(
  claims: JWTPayload,
  policy: LoginPolicy | undefined,
): string | null {
  const domains = policy?.allowedDomains;
  if (domains) {
    const email = claims.email as string;
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    if (!domains.includes(domain)) {
      return `the email's domain ${JSON.stringify(domain.slice(0, 100))} is not in allowedDomains`;
    }
    const hd = claims.hd;
    if (hd !== undefined && (typeof hd !== "string" || !domains.includes(hd.toLowerCase()))) {
      return `the Google Workspace domain (hd) ${
        JSON.stringify(String(hd).slice(0, 100))
      } is not in allowedDomains`;
    }
  }
  const tenants = policy?.allowedTenants;
  if (tenants) {
    const tid = claims.tid;
    if (typeof tid !== "string" || !tenants.includes(tid.toLowerCase())) {
      return `the tenant ${
        typeof tid === "string" ? JSON.stringify(tid.slice(0, 100)) : "(no tid claim)"
      } is not in allowedTenants`;
    }
  }
  return null;
}
