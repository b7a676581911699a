// Microsoft Entra ID (the Microsoft identity platform, v2.0 endpoints), as its
// documentation describes it: the multi-tenant endpoints (`/common`,
// `/organizations`) state the issuer as the template
// `https://login.microsoftonline.com/{tenantid}/v2.0`, and each token carries
// its tenant's own issuer and its tenant id in `tid`; `/consumers` states the
// issuer of the personal-accounts tenant. The shared key set tags each key
// with the issuer template it signs for. Optional claims such as `email` and
// `xms_edov` (whether the email's domain is verified by the tenant) come as
// the app registration asks.
import { emulate, type Emulation, type Person } from "./_emulator.ts";

export const LOGIN = "https://login.microsoftonline.com";
export const TEMPLATE_ISSUER = `${LOGIN}/{tenantid}/v2.0`;
/** The tenant of personal Microsoft accounts (Outlook, Xbox…). */
export const CONSUMERS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";

/** The discovery document of an endpoint (`common`, `organizations`, `consumers` or a tenant id). */
export function entraDiscovery(tenant: string): Record<string, unknown> {
  const issuer = tenant === "common" || tenant === "organizations"
    ? TEMPLATE_ISSUER
    : `${LOGIN}/${tenant === "consumers" ? CONSUMERS_TENANT : tenant}/v2.0`;
  return {
    token_endpoint: `${LOGIN}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "private_key_jwt",
      "client_secret_basic",
    ],
    jwks_uri: `${LOGIN}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${LOGIN}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${LOGIN}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${LOGIN}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${LOGIN}/${tenant}/kerberos`,
    tenant_region_scope: null,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

/** A person of tenant `tid`, with the claims of a v2.0 ID token. */
export function entraPerson(
  tid: string,
  email: string,
  claims: Record<string, unknown> = {},
): Person {
  const oid = crypto.randomUUID();
  return {
    sub: `pairwise-${oid.slice(0, 8)}`,
    email,
    claims: {
      tid,
      oid,
      ver: "2.0",
      preferred_username: email,
      name: email.split("@")[0],
      ...claims,
    },
  };
}

export const CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
export const CLIENT_SECRET = "Xw8Q~entra-client-secret-value-0123456";

/**
 * Entra ID at `https://login.microsoftonline.com/<tenant>/v2.0`; its keys
 * tagged with `keyIssuer` (by default the template, as the shared keys are).
 */
export async function emulateEntra(
  tenant = "common",
  keyIssuer = TEMPLATE_ISSUER,
): Promise<Emulation & { metadataUrl: string }> {
  const metadataUrl = `${LOGIN}/${tenant}/v2.0/.well-known/openid-configuration`;
  const emulation = await emulate({
    metadataUrl,
    discovery: entraDiscovery(tenant),
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    // Each token names its tenant's issuer (a guest's too: the tenant signed in to).
    issuerOf: (person) => `${LOGIN}/${person.claims?.tid}/v2.0`,
    keyMetadata: { issuer: keyIssuer },
  });
  return Object.assign(emulation, { metadataUrl });
}
