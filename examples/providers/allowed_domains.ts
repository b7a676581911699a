// allowed_domains.ts — a Google login open to the example.com Workspace only
import process from "node:process";
import { OAuthManager } from "@easy-oauth/hono";

const oauth = new OAuthManager({
  serverMetadataUrl: "https://accounts.google.com/.well-known/openid-configuration",
  secretKey: process.env.SECRET_KEY ?? "rj5T7ncM_3lz9EqQNS4s_b8uutoVnIWgPcb7_RNarE4",
  clientId: process.env.CLIENT_ID ?? "<client id>.apps.googleusercontent.com",
  clientSecret: process.env.CLIENT_SECRET,
  // `hd` only preselects the domain on Google's login screen: allowedDomains is what is checked
  clientKwargs: { scope: "openid email", hd: "example.com" },
  allowedDomains: ["example.com"],
  capabilities: { graph: { read: [] }, defaultCapabilities: ["read"] },
});
console.log(oauth.prefix === ""); // true
