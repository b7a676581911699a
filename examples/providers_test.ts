// Every snippet of docs/providers.md runs as written: each ```ts block is the
// exact text of a file of examples/providers/ (named in the comment above it),
// and each file runs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = join(ROOT, "examples", "providers");

async function blocks(): Promise<{ file: string | undefined; code: string }[]> {
  const lines = (await readFile(join(ROOT, "docs", "providers.md"), "utf8")).split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\w+)$/.exec(lines[i]);
    if (!fence) continue;
    const indent = lines[i].indexOf("`");
    const end = lines.findIndex((line, at) => at > i && line.trim() === "```");
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const file = /^\s*<!-- (examples\/\S+) -->$/.exec(lines[before] ?? "")?.[1];
    const code = lines.slice(i + 1, end).map((line) => line.slice(indent)).join("\n") + "\n";
    if (fence[1] === "ts") found.push({ file, code });
    i = end;
  }
  return found;
}

describe("the snippets of docs/providers.md", () => {
  it("are each the exact text of a file of examples/providers/, and every file there is shown", async () => {
    const found = await blocks();
    for (const { file, code } of found) {
      assert.ok(file, `a block has no <!-- examples/… --> comment above it:\n${code}`);
      assert.equal(code, await readFile(join(ROOT, file), "utf8"), `differs from ${file}`);
    }
    const shown = new Set(found.map((b) => b.file));
    for (const name of await readdir(DIR)) {
      assert.ok(shown.has(`examples/providers/${name}`), `${name} is not in docs/providers.md`);
    }
  });

  it("run: the managers are made without a call to the provider", async () => {
    for (const name of await readdir(DIR)) {
      const args = "Bun" in globalThis ? [join(DIR, name)] : ["run", "-A", join(DIR, name)];
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>(
        (resolve) =>
          execFile(
            process.execPath,
            args,
            { cwd: ROOT },
            (_, stdout, stderr) => resolve({ stdout, stderr }),
          ),
      );
      assert.equal(stdout, "true\n", `${name}: ${stderr}`);
    }
  });
});
