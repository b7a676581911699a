/**
 * Runs `deno doc --lint` on the package's entry points and fails on every
 * diagnostic but four: Deno (2.9.6 still, checked for issue 20) reports
 * Hono's own types, which `OAuthManager`'s methods and the `clientAddress`
 * option take and return, as private (`private-type-ref` to a type re-exported
 * from an npm package). Exactly those four references are tolerated; any other,
 * to Hono's types or not, fails.
 *
 * @module
 */
import { readFile } from "node:fs/promises";

/** The references Deno wrongly reports: public symbol → Hono's type it names. */
export const TOLERATED: ReadonlyMap<string, string> = new Map([
  ["OAuthManager.prototype.routes", "Hono"],
  ["OAuthManager.prototype.middleware", "MiddlewareHandler"],
  ["OAuthManager.prototype.getEmail", "Context"],
  ['OAuthManagerOptions["clientAddress"]', "Context"],
]);

/** The diagnostic blocks of `deno doc --lint`'s output. */
export function diagnostics(text: string): string[] {
  return text.split(/\n(?=error\[)/).filter((block) => block.startsWith("error["));
}

/** Whether a block is one of the tolerated reports. */
export function tolerated(block: string): boolean {
  const match =
    /^error\[private-type-ref\]: public type '([^']+)' references private type '([^']+)'/
      .exec(block);
  return match !== null && TOLERATED.get(match[1]!) === match[2];
}

if (import.meta.main) {
  const entries = JSON.parse(await readFile("deno.json", "utf8")).exports as Record<string, string>;
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...Object.values(entries)],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
  const blocks = diagnostics(text);
  const kept = blocks.filter((block) => !tolerated(block));
  for (const block of kept) console.error(block.trim() + "\n");
  const skipped = blocks.length - kept.length;
  if (skipped > 0) console.log(`doc lint: tolerated ${skipped} private-type-ref to Hono's types`);
  if (kept.length > 0 || (blocks.length === 0 && !/Checked|^\s*$/.test(text))) {
    if (blocks.length === 0) console.error(text);
    console.error(`doc lint: ${kept.length} problem(s)`);
    Deno.exit(1);
  }
  console.log("doc lint: clean");
}
