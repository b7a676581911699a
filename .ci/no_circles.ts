/**
 * Fails when the module's own files import each other in a circle, or when
 * two folders of `src/` do (a folder imports only folders below it). Reads the
 * import graph from `deno info --json` over the package's entry points, so it
 * sees exactly what Deno resolves; npm packages are left out.
 *
 * Usage: `deno run -A .ci/no_circles.ts [entry.ts ...]` (default: the
 * entry points of `deno.json` and the test files beside them).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

async function graphOf(entries: string[]): Promise<Map<string, string[]>> {
  // `deno info` takes one module: a throwaway one that imports every entry.
  const all = await Deno.makeTempFile({ dir: ".", prefix: ".no_circles_", suffix: ".ts" });
  await Deno.writeTextFile(
    all,
    entries.map((e) => `import "./${e.replace(/^\.\//, "")}";\n`).join(""),
  );
  const { stdout, code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", all],
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(all));
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  const info = JSON.parse(new TextDecoder().decode(stdout)) as { modules: InfoModule[] };
  const root = new URL(`file://${Deno.cwd()}/`).href;
  const own = (s: string | undefined) =>
    s !== undefined && s.startsWith(root) && !s.includes("/node_modules/")
      ? s.slice(root.length)
      : undefined;
  const graph = new Map<string, string[]>();
  for (const mod of info.modules) {
    const from = own(mod.specifier);
    if (from === undefined || from.includes(".no_circles_")) continue;
    const to = (mod.dependencies ?? [])
      .flatMap((d) => [own(d.code?.specifier), own(d.type?.specifier)])
      .filter((s): s is string => s !== undefined && s !== from);
    graph.set(from, [...new Set(to)]);
  }
  return graph;
}

/** Every cycle's first member found by a depth-first search, as a path. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        cycles.push([...stack.slice(stack.indexOf(next)), next]);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * The folder graph of `src/`: an edge when a file of one folder imports a file
 * of another. A file at the root of `src/` is a unit of its own, since the root
 * holds both the public face (above every folder) and what all share (below).
 * Test files are left out: a test may drive what it tests through the layers
 * above it, and nothing imports a test.
 */
export function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const folder = (f: string) =>
    !f.startsWith("src/") ? undefined : dirname(f) === "src" ? f : dirname(f);
  const out = new Map<string, Set<string>>();
  for (const [from, tos] of graph) {
    const a = folder(from);
    if (a === undefined || from.endsWith("_test.ts")) continue;
    for (const to of tos) {
      const b = folder(to);
      if (b === undefined || b === a) continue;
      if (!out.has(a)) out.set(a, new Set());
      out.get(a)!.add(b);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

async function defaultEntries(): Promise<string[]> {
  const json = JSON.parse(await readFile("deno.json", "utf8")) as {
    exports: Record<string, string>;
  };
  const files: string[] = [];
  for (const dir of ["src", "testing", "mock", "cli", "postgres"]) {
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const p = `${d}/${e.name}`;
        if (e.isDirectory) await walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    await walk(dir);
  }
  return [...Object.values(json.exports), "mod.ts", ...files];
}

if (import.meta.main && Deno.env.get("NO_CIRCLES_DUMP")) {
  const graph = await graphOf(await defaultEntries());
  for (const [k, v] of folderGraph(graph)) console.log(k, "->", v.sort().join(" "));
} else if (import.meta.main) {
  const entries = Deno.args.length > 0 ? Deno.args : await defaultEntries();
  const graph = await graphOf(entries);
  const fileCycles = findCycles(graph);
  const folderCycles = findCycles(folderGraph(graph));
  for (const c of fileCycles) console.error(`import circle between files: ${c.join(" → ")}`);
  for (const c of folderCycles) console.error(`import circle between folders: ${c.join(" → ")}`);
  if (fileCycles.length + folderCycles.length > 0) Deno.exit(1);
  console.log(`no import circles among ${graph.size} files`);
}
