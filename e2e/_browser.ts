// Debian's Chromium driven by playwright-core, in a throwaway profile.
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser; `CHROMIUM` overrides it. */
const EXECUTABLE = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
  "--disable-gpu",
  "--disable-background-networking", // no calls home: only loopback is reachable
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A headless Chromium with a fresh profile, removed on dispose. */
export async function launchBrowser(): Promise<BrowserContext & AsyncDisposable> {
  const profile = await Deno.makeTempDir({ prefix: "easy-oauth-e2e-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ARGS,
    viewport: { width: 1000, height: 700 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  return Object.assign(context, {
    async [Symbol.asyncDispose]() {
      await context.close();
      await Deno.remove(profile, { recursive: true });
    },
  });
}
