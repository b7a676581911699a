// main.ts — `deno serve -A --host 127.0.0.1 --port 3000 main.ts`, or `bun main.ts` (port 3000)
import process from "node:process";
import { createApp } from "./app.ts";

export default createApp({
  serverMetadataUrl: process.env.SERVER_METADATA_URL ??
    "https://accounts.google.com/.well-known/openid-configuration",
  secretKey: process.env.SECRET_KEY!,
  clientId: process.env.CLIENT_ID!,
  clientSecret: process.env.CLIENT_SECRET,
});
