/**
 * `deno task e2e`: walks the demo (`examples/demo.ts`, run in a child process)
 * in a real headless Chromium, as a person would, and checks what the pages
 * show. Each step saves a screenshot to `e2e/screenshots/` (ignored by git).
 * Needs Debian's `chromium` (`/usr/bin/chromium`, or the `CHROMIUM` variable).
 *
 * ```sh
 * deno task e2e
 * ```
 *
 * @module
 */
import { launchBrowser } from "./_browser.ts";
import { startDemo } from "./_demo.ts";
import { walk } from "./_walk.ts";
import { STEPS } from "./steps.ts";

const SHOTS = new URL("./screenshots/", import.meta.url);

if (import.meta.main) {
  await Deno.remove(SHOTS, { recursive: true }).catch(() => {});
  await Deno.mkdir(SHOTS, { recursive: true });
  await using demo = await startDemo();
  await using browser = await launchBrowser();
  const failed = await walk(STEPS, { demo, browser, shots: SHOTS });
  Deno.exitCode = failed === 0 ? 0 : 1;
}
