import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParsedFile } from "./_parsed_file.ts";

it("parses a file once while it is unchanged, and again after each kind of change", async () => {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-parsed-"));
  try {
    const file = join(dir, "state.json");
    const parsed: string[] = [];
    const reader = new ParsedFile(file, (text) => {
      parsed.push(text);
      return JSON.parse(text) as { n: number };
    });
    assert.equal((await reader.read()).value, undefined, "a missing file");
    await writeFile(file, '{"n":1}');
    for (let i = 0; i < 50; i++) assert.equal((await reader.read()).value?.n, 1);
    assert.equal(parsed.length, 1);
    // Replaced atomically (another process's write), then edited in place with the same size.
    await writeFile(join(dir, "next"), '{"n":2}');
    await rename(join(dir, "next"), file);
    assert.equal((await reader.read()).value?.n, 2);
    await writeFile(file, '{"n":3}');
    assert.equal((await reader.read()).value?.n, 3);
    await rm(file);
    assert.deepEqual(await reader.read(), { signature: null, value: undefined });
    assert.equal(parsed.length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
