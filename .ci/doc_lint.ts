/**
 * Runs `deno doc --lint` on the package's entry points and fails on every
 * diagnostic but one: `private-type-ref` to a type that Hono itself exports
 * (a known Deno bug reports types re-exported from npm packages as private).
 * Such a reference is tolerated only when the type is declared in Hono's own
 * type definitions and nowhere in this package.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const entries = JSON.parse(await readFile("deno.json", "utf8")).exports as Record<string, string>;
const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...Object.values(entries)],
  stdout: "piped",
  stderr: "piped",
  env: { NO_COLOR: "1" },
}).output();
const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
const blocks = text.split(/\n(?=error\[)/).filter((b) => b.startsWith("error["));

async function declarations(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".d.ts")) {
      parts.push(await readFile(join(entry.parentPath, entry.name), "utf8"));
    }
  }
  return parts.join("\n");
}

async function ownSources(): Promise<string> {
  const parts: string[] = [];
  for (const dir of ["src", "testing", "mock", "cli"]) {
    for (
      const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
    ) {
      if (entry.isFile() && entry.name.endsWith(".ts")) {
        parts.push(await readFile(join(entry.parentPath, entry.name), "utf8"));
      }
    }
  }
  return parts.join("\n") + (await readFile("mod.ts", "utf8"));
}

const hono = await declarations("node_modules/hono/dist/types");
const own = await ownSources();
const declares = (source: string, name: string) =>
  // A declaration, not an import: the name is followed by its definition.
  new RegExp(`\\b(?:type|interface|class)\\s+${name}\\s*(?:<|=|\\{|extends\\b|implements\\b)`).test(
    source,
  );

const kept = blocks.filter((block) => {
  const name = /^error\[private-type-ref\].*references private type '([A-Za-z0-9_$]+)'/.exec(block)
    ?.[1];
  return !(name && declares(hono, name) && !declares(own, name));
});
for (const block of kept) console.error(block.trim() + "\n");
const tolerated = blocks.length - kept.length;
if (tolerated > 0) {
  console.log(`doc lint: tolerated ${tolerated} private-type-ref to Hono's own types`);
}
if (kept.length > 0 || (blocks.length === 0 && !/Checked|^\s*$/.test(text))) {
  if (blocks.length === 0) console.error(text);
  console.error(`doc lint: ${kept.length} problem(s)`);
  Deno.exit(1);
}
console.log("doc lint: clean");
