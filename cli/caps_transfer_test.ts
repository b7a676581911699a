import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { run } from "./_test_util.ts";
import { DATABASE_URL, dropSchema, freshSchema, skip } from "../postgres/_test_db.ts";

const CAPS = `# Who may do what.
zoe@example.com:
  - write  # first in the file, last alphabetically
ann@example.com: [read, write, user_management]
"odd: name@example.com": []
bot@service: [read]
`;

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const step of cleanup) await step();
});

async function setup(): Promise<{ dir: string; schema: string; db: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-transfer-"));
  const schema = freshSchema();
  cleanup.push(() => rm(dir, { recursive: true, force: true }), () => dropSchema(schema));
  return { dir, schema, db: ["--postgres", DATABASE_URL!, "--schema", schema] };
}

describe("easy-oauth caps import/export --postgres", { skip }, () => {
  it("round-trips a capability file exactly: accounts, order, empty lists", async () => {
    const { dir, db } = await setup();
    const file = join(dir, "caps.yaml");
    await writeFile(file, CAPS);
    const imported = await run("caps", "import", file, ...db);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stderr, /4 accounts read, 4 written, 0 removed/);
    const exported = await run("caps", "export", ...db);
    assert.equal(exported.status, 0, exported.stderr);
    const original = parse(CAPS);
    const back = parse(exported.stdout);
    assert.deepEqual(back, original);
    assert.deepEqual(Object.keys(back), Object.keys(original));
    // And back again: importing the export changes nothing.
    const again = join(dir, "again.yaml");
    await writeFile(again, exported.stdout);
    assert.match((await run("caps", "import", again, ...db)).stderr, /4 accounts read, 0 written/);
    assert.equal((await run("caps", "export", ...db)).stdout, exported.stdout);
  });

  it("with --replace, deletes the accounts the file does not hold", async () => {
    const { dir, db } = await setup();
    const file = join(dir, "caps.yaml");
    await writeFile(file, CAPS);
    await run("caps", "import", file, ...db);
    await writeFile(file, "ann@example.com: [read]\n");
    const kept = await run("caps", "import", file, ...db);
    assert.match(kept.stderr, /1 accounts read, 1 written, 0 removed/);
    assert.equal(Object.keys(parse((await run("caps", "export", ...db)).stdout)).length, 4);
    const replaced = await run("caps", "import", file, "--replace", ...db);
    assert.match(replaced.stderr, /0 written, 3 removed/);
    assert.deepEqual(parse((await run("caps", "export", ...db)).stdout), {
      "ann@example.com": ["read"],
    });
  });
});

describe("easy-oauth caps import/export usage", () => {
  it("needs --postgres, and an existing file to import", async () => {
    assert.equal((await run("caps", "export")).status, 2);
    const missing = await run(
      "caps",
      "import",
      "/nonexistent/caps.yaml",
      "--postgres",
      "postgres://x/y",
    );
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /does not exist/);
  });
});
