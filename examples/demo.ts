/**
 * `deno task demo`: the mock OpenID provider and the example app, in one
 * process. `--port` sets the app's port (default 8000), `--provider-port` the
 * provider's (default 29313).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createMockProvider } from "../mock/mod.ts";
import { OAuthManager } from "../mod.ts";
import { createApp, exampleOptions } from "./app.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string" }, "provider-port": { type: "string" } },
  });
  const port = Number(values.port ?? 8000);
  const providerPort = Number(values["provider-port"] ?? 29313);
  const hostname = "127.0.0.1";
  const provider = createMockProvider();
  Deno.serve({ hostname, port: providerPort, onListen() {} }, provider.fetch);
  const providerUrl = `http://${hostname}:${providerPort}`;
  // A fresh secret per run: sessions and tokens last as long as the demo.
  const secret = Deno.env.get("SECRET_KEY") ?? crypto.randomUUID() + crypto.randomUUID();
  const oauth = new OAuthManager(
    exampleOptions(`${providerUrl}/.well-known/openid-configuration`, secret),
  );
  Deno.serve({ hostname, port, onListen() {} }, createApp(oauth).fetch);
  console.log(`Mock OpenID provider: ${providerUrl} (logs everyone in as ${provider.email})`);
  console.log(`Example app:          http://${hostname}:${port}/  (open it in a browser)`);
  console.log(
    `Try: http://${hostname}:${port}/shout?message=hello, then /token for a bearer token.`,
  );
  console.log(
    `Switch user: curl -X POST -H "Content-Type: application/json" -d '{"email": "friend@rainbows.com"}' ${providerUrl}/set_email`,
  );
}
