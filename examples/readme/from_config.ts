// from_config.ts — run beside config.yaml: deno run -A from_config.ts
import process from "node:process";
import { OAuthManager } from "@easy-oauth/hono";

const oauth = await OAuthManager.fromConfig("config.yaml", {
  password: process.env.SERIEUX_PASSWORD, // for encrypted values, if any
});
// Or a section of a bigger configuration (relative paths start at baseDir):
const myBigConfig = { auth: { force_user: { email: "dev@example.com" } } };
const oauth2 = await OAuthManager.fromConfig(myBigConfig.auth, { baseDir: "./conf" });
console.log(oauth.prefix === "", oauth2.prefix === ""); // true true
