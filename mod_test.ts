// The doc examples of every module import only what the entry points export:
// a reader who copies an example gets code that resolves.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const ENTRIES: Record<string, string> = {
  "@easy-oauth/hono": "mod.ts",
  "@easy-oauth/hono/testing": "testing/mod.ts",
  "@easy-oauth/hono/mock": "mock/mod.ts",
};

/** Every name a module exports, read from its text (`export { a, type B as C }`, `export class D`…). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, list] of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of list.split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim();
      if (name) names.add(name);
    }
  }
  const declared =
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:class|function|const|let|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g;
  for (const [, name] of text.matchAll(declared)) names.add(name);
  return names;
}

async function sources(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ["src", "testing", "mock"]) {
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        files.push(join(entry.parentPath, entry.name));
      }
    }
  }
  return files;
}

describe("doc examples", () => {
  it("import only names that the package's entry points export", async () => {
    const exported = new Map<string, Set<string>>();
    for (const [specifier, file] of Object.entries(ENTRIES)) {
      exported.set(specifier, exportedNames(await readFile(file, "utf8")));
    }
    const wrong: string[] = [];
    for (const file of await sources()) {
      const text = await readFile(file, "utf8");
      const imports = text.matchAll(/\*\s*import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g);
      for (const [, list, specifier] of imports) {
        const names = exported.get(specifier);
        if (!names) continue;
        for (const part of list.split(",")) {
          const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0].trim();
          if (name && !names.has(name)) wrong.push(`${file}: ${name} from ${specifier}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe("SECURITY.md", () => {
  it("names only test files and tests that exist", async () => {
    const text = await readFile("SECURITY.md", "utf8");
    const missing: string[] = [];
    // `file › name`, then further `› name` of the same file, up to the cell's end.
    for (const [, cell] of text.matchAll(/\|([^|\n]*`[^`]+_test\.ts[^|\n]*)\|\s*$/gm)) {
      let file = "";
      for (const [, path, name] of cell.matchAll(/`([^`›]+_test\.ts)?(?:\s*› ([^`]+))?`/g)) {
        if (path) file = path.trim();
        if (!file || !name) continue;
        const source = await readFile(file, "utf8").catch(() => "");
        // "…" stands for words left out; a number may stand for a constant of the test file.
        const pattern = name.split("…").map((part) =>
          part.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
            .replace(/\d[\d,]*/g, "(?:\\d[\\d,]*|\\$\\{[^}]+\\})")
        ).join(".*?");
        if (!new RegExp(pattern).test(source)) missing.push(`${file} › ${name}`);
      }
      for (const [, path] of cell.matchAll(/`([^`›]+_test\.ts)`/g)) {
        if (!(await readFile(path, "utf8").then(() => true, () => false))) missing.push(path);
      }
    }
    assert.deepEqual(missing, []);
  });
});
