// from_config.ts — run beside config.yaml: deno run -A from_config.ts
import { OAuthManager } from "@easy-oauth/hono";

// Encrypted values, if any, are opened with SERIEUX_PASSWORD from the environment
// (or a `password` option, which wins).
const oauth = await OAuthManager.fromConfig("config.yaml");
// Or a section of a bigger configuration (relative paths start at baseDir):
const myBigConfig = { auth: { force_user: { email: "dev@example.com" } } };
const oauth2 = await OAuthManager.fromConfig(myBigConfig.auth, { baseDir: "./conf" });
console.log(oauth.prefix === "", oauth2.prefix === ""); // true true
