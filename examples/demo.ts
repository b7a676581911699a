/**
 * `deno task demo`: the mock OpenID provider and the example app, in one
 * process. `--port` sets the app's port (default 8000), `--provider-port` the
 * provider's (default 29313); `0` picks a free one. `--data-dir` says where
 * the demo keeps its copy of the capability file (default `.tmp/demo/`,
 * ignored by git). It prints the URLs actually listened on (the browser test
 * reads them).
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
  const hostname = "127.0.0.1";
  // The login page: switching users is a click.
  const provider = createMockProvider({ loginPage: true });
  const idp = Deno.serve(
    { hostname, port: Number(values["provider-port"] ?? 29313), onListen() {} },
    provider.fetch,
  );
  const providerUrl = `http://${hostname}:${idp.addr.port}`;
  // A fresh secret per run: sessions and tokens last as long as the demo.
  const secret = Deno.env.get("SECRET_KEY") ?? crypto.randomUUID() + crypto.randomUUID();
  const userFile = await demoCapabilityFile(values["data-dir"]);
  const oauth = new OAuthManager(
    exampleOptions(`${providerUrl}/.well-known/openid-configuration`, secret, userFile),
  );
  const app = Deno.serve(
    { hostname, port: Number(values.port ?? 8000), onListen() {} },
    createApp(oauth, { switchUser: (email) => provider.setEmail(email) }).fetch,
  );
  const appUrl = `http://${hostname}:${app.addr.port}`;
  console.log(
    `Capabilities:         ${userFile} (a copy of examples/caps.yaml; delete it to reset)`,
  );
  console.log(`Mock OpenID provider: ${providerUrl} (its login page asks who you are)`);
  console.log(`Example app:          ${appUrl}/  (open it in a browser)`);
  console.log(`Try: ${appUrl}/shout?message=hello, then /token for a bearer token.`);
  console.log(
    `Switch user: log in again (${appUrl}/login): the mock's page asks who you are.`,
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
