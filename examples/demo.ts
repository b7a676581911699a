/**
 * `deno task demo`: the mock OpenID provider and the example app, in one
 * process. `--port` sets the app's port (default 8000), `--provider-port` the
 * provider's (default 29313), `--data-dir` where the demo keeps its copy of
 * the capability file (default `.tmp/demo/`, ignored by git).
 *
 * @module
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createMockProvider } from "../mock/mod.ts";
import { OAuthManager } from "../mod.ts";
import { createApp, exampleOptions } from "./app.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string" },
      "provider-port": { type: "string" },
      "data-dir": { type: "string" },
    },
  });
  const port = Number(values.port ?? 8000);
  const providerPort = Number(values["provider-port"] ?? 29313);
  const hostname = "127.0.0.1";
  const provider = createMockProvider();
  Deno.serve({ hostname, port: providerPort, onListen() {} }, provider.fetch);
  const providerUrl = `http://${hostname}:${providerPort}`;
  // A fresh secret per run: sessions and tokens last as long as the demo.
  const secret = Deno.env.get("SECRET_KEY") ?? crypto.randomUUID() + crypto.randomUUID();
  const userFile = await demoCapabilityFile(values["data-dir"]);
  const oauth = new OAuthManager(
    exampleOptions(`${providerUrl}/.well-known/openid-configuration`, secret, userFile),
  );
  const app = createApp(oauth, { switchUser: (email) => provider.setEmail(email) });
  Deno.serve({ hostname, port, onListen() {} }, app.fetch);
  console.log(
    `Capabilities:         ${userFile} (a copy of examples/caps.yaml; delete it to reset)`,
  );
  console.log(`Mock OpenID provider: ${providerUrl} (logs everyone in as ${provider.email})`);
  console.log(`Example app:          http://${hostname}:${port}/  (open it in a browser)`);
  console.log(
    `Try: http://${hostname}:${port}/shout?message=hello, then /token for a bearer token.`,
  );
  console.log(
    `Switch user: the form on the home page, or POST ${providerUrl}/set_email then log in again.`,
  );
}

/**
 * The demo edits its capability file (grants, revocations): it works on a copy
 * in an ignored folder, made from `examples/caps.yaml` when missing, so that
 * the tracked file never changes.
 */
async function demoCapabilityFile(
  dir = fileURLToPath(new URL("../.tmp/demo/", import.meta.url)),
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, "caps.yaml");
  // COPYFILE_EXCL: keep the copy (and what the demo wrote to it) when it exists.
  await copyFile(new URL("./caps.yaml", import.meta.url), file, 1).catch((error) => {
    if (error?.code !== "EEXIST") throw error;
  });
  return file;
}
