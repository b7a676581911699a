// The token file of earlier versions, as the former FileTokenStore wrote it
// through the app's own routes (testdata/legacy_tokens: a login of ann, one of
// bob whose account was then revoked, a revoked token, an API token), imported
// by the default store at the first start: nothing a user had is lost.
import { it } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GRAPH, startExample } from "../../testing/_fixtures.ts";

const LEGACY = fileURLToPath(new URL("../../testdata/legacy_tokens", import.meta.url));

it("the default store imports caps.tokens.json of earlier versions: logins, revocations and API tokens", async () => {
  const saved = JSON.parse(await readFile(join(LEGACY, "tokens.json"), "utf8"));
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-legacy-"));
  try {
    await cp(LEGACY, dir, { recursive: true });
    const userFile = join(dir, "caps.yaml");
    await using ex = await startExample({
      capabilities: { graph: GRAPH, autoAdmin: true, userFile },
    });
    ex.clock.now = saved.now;
    const read = (token: string) =>
      fetch(`${ex.tester.url}/read`, { headers: { authorization: `Bearer ${token}` } }).then(
        async (res) => {
          await res.body?.cancel();
          return res.status;
        },
      );
    assert.equal(await read(saved.ann), 200, "a login kept in the old file still works");
    assert.equal(await read(saved.api), 200, "an API token still works");
    assert.equal(await read(saved.revoked), 401, "a revoked token stays revoked");
    assert.equal(await read(saved.bob), 401, "a revoked account stays revoked");
    const listed = await fetch(`${ex.tester.url}/token/api`, {
      headers: { authorization: `Bearer ${saved.root}` },
    });
    assert.deepEqual((await listed.json()).tokens.map((t: { name: string }) => t.name), ["ci"]);
    const files = await readdir(dir);
    assert.ok(files.includes("caps.db"));
    assert.ok(files.includes("caps.tokens.json.imported"), "the old file is kept as a backup");
    assert.ok(!files.includes("caps.tokens.json"));
    assert.ok(ex.logs.some((line) => /imported .*caps\.tokens\.json/.test(line)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
