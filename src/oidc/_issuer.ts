// Which issuer a provider's discovery may state and which `iss` its tokens
// may carry. Exact equality (RFC 8414 §3.3, OIDC Core §3.1.3.7) but for two
// documented exceptions: Microsoft Entra ID's multi-tenant endpoints, whose
// discovery states a `{tenantid}` template filled in by each token's `tid`,
// and Google, whose ID tokens spell its issuer with or without `https://`.

/** The placeholder in Entra ID's multi-tenant issuer. */
const TEMPLATE = "{tenantid}";
/** Entra ID's endpoints that serve several tenants (`/common/v2.0`, …). */
const ENTRA_ALIASES = new Set(["common", "organizations", "consumers"]);
/** The tenant of personal Microsoft accounts: `/consumers` states its issuer as is. */
export const MSA_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
/** A tenant id: a GUID, as Entra ID writes them in `tid`. */
export const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Google's issuer, and the spelling without a scheme its ID tokens may carry. */
const GOOGLE = "https://accounts.google.com";
const GOOGLE_BARE = "accounts.google.com";

/**
 * Whether `stated`, the issuer in the discovery document, is the `expected`
 * one: the same URL, or, for an Entra ID alias (`…/common/v2.0`), the same
 * URL with the alias replaced by `{tenantid}` (`/consumers`: by the tenant of
 * personal accounts).
 */
export function isStatedIssuer(stated: string, expected: URL): boolean {
  if (URL.canParse(stated) && new URL(stated).href === expected.href) return true;
  const segments = expected.pathname.split("/");
  const at = segments.findIndex((segment) => ENTRA_ALIASES.has(segment));
  if (at < 0 || expected.search || expected.hash) return false;
  const tenants = segments[at] === "consumers" ? [TEMPLATE, MSA_TENANT] : [TEMPLATE];
  return tenants.some((tenant) => {
    const path = segments.with(at, tenant).join("/").replace(/\/$/, "");
    return stated === expected.origin + path;
  });
}

/** Whether tokens of `issuer` (as discovery states it) name their tenant's issuer. */
export function isTenantTemplate(issuer: string): boolean {
  return issuer.includes(TEMPLATE);
}

/**
 * The `iss` values a token with these claims may carry, given the issuer
 * discovery states: Entra ID's template filled in with the token's own `tid`
 * (none when it has no tenant id), Google's two spellings, else the issuer.
 */
export function issuersFor(
  issuer: string,
  claims: { readonly [claim: string]: unknown },
): string[] {
  if (isTenantTemplate(issuer)) {
    const tid = claims.tid;
    return typeof tid === "string" && TENANT_ID.test(tid) ? [issuer.replace(TEMPLATE, tid)] : [];
  }
  return issuer === GOOGLE ? [GOOGLE, GOOGLE_BARE] : [issuer];
}

/** One spelling per issuer (Google's with its scheme), so that a refresh compares like with like. */
export function canonicalIssuer(iss: string): string {
  return iss === GOOGLE_BARE ? GOOGLE : iss;
}

/**
 * Whether a key the provider lists may sign a token of `iss`: Entra ID tags
 * its keys with the issuer they sign for (its template for the shared keys),
 * and documents checking it for multi-tenant apps.
 */
export function keyMaySign(keyIssuer: unknown, iss: string, tid: unknown): boolean {
  if (keyIssuer === undefined) return true;
  if (typeof keyIssuer !== "string") return false;
  return (typeof tid === "string" ? keyIssuer.replace(TEMPLATE, tid) : keyIssuer) === iss;
}
