// entra_tenants.ts — an app registered in Entra ID as multi-tenant, open to two tenants only
import process from "node:process";
import { OAuthManager } from "@easy-oauth/hono";

const oauth = new OAuthManager({
  // `organizations`: work and school accounts of any tenant; `common` adds personal accounts
  serverMetadataUrl:
    "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
  secretKey: process.env.SECRET_KEY ?? "rj5T7ncM_3lz9EqQNS4s_b8uutoVnIWgPcb7_RNarE4",
  clientId: process.env.CLIENT_ID ?? "<application (client) id>",
  clientSecret: process.env.CLIENT_SECRET,
  clientKwargs: { scope: "openid email profile" },
  // The tenant ids (the `tid` of their tokens) whose users may log in
  allowedTenants: [
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "3c2f8a59-5b1e-4d6f-9a0e-8e1f1a2b3c4d",
  ],
  capabilities: { graph: { read: [] }, defaultCapabilities: ["read"] },
});
console.log(oauth.prefix === ""); // true
