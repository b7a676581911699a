// The token file of earlier versions, as the former FileTokenStore wrote it
// through the app's own routes (testdata/legacy_tokens: a login of ann, one of
// bob whose account was then revoked, a revoked token, an API token), imported
// by the default store at the first start: nothing a user had is lost.
import { it } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GRAPH, startExample } from "../../testing/_fixtures.ts";
import { Revocations } from "../credentials/revocations.ts";
import { SqliteStore } from "./sqlite_store.ts";
import { ConfigError } from "../errors.ts";

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

it("the import lowercases the emails of revocations, API tokens and grants, merging the revocations of one person", async () => {
  const legacy = JSON.parse(await readFile(join(LEGACY, "caps.tokens.json"), "utf8"));
  const [grant] = Object.values(legacy.grants) as { id: string; email: string }[];
  const [api] = Object.values(legacy.api_tokens) as Record<string, unknown>[];
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-legacy-"));
  const now = Date.UTC(2026, 0, 1);
  const at = now / 1000;
  try {
    await writeFile(
      join(dir, "caps.tokens.json"),
      JSON.stringify({
        revoked_accounts: { "Ann@Example.com": at - 60, "ann@example.com": at - 7200 },
        api_tokens: {
          [api!.id as string]: {
            ...api,
            name: "CI",
            expires_at: at + 3600,
            created_by: "Root@Example.com",
            parents: [{ email: "Root@Example.COM", tokenId: "p", issuedAt: at - 60 }],
          },
        },
        grants: { [grant!.id]: { ...grant, email: "Ann@Example.com" } },
      }),
    );
    using store = new SqliteStore(join(dir, "caps.db"), {
      importFrom: join(dir, "caps.tokens.json"),
      clock: () => now,
      log: () => {},
    });
    const revocations = new Revocations(store, () => now);
    await revocations.ready();
    assert.equal(
      revocations.isRevoked({ email: "ann@example.com", issuedAt: at - 600 }),
      true,
      "a token of ann issued before her revocation as Ann@Example.com is refused",
    );
    const [record] = revocations.apiTokens();
    assert.equal(record?.created_by, "root@example.com");
    assert.equal(record?.name, "ci");
    assert.equal(record?.parents?.[0]?.email, "root@example.com");
    assert.deepEqual((await store.grantsOf("ann@example.com")).map((g) => g.email), [
      "ann@example.com",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("refuses an API token record that the store would not have written, naming the file and the entry", async () => {
  const legacy = JSON.parse(await readFile(join(LEGACY, "caps.tokens.json"), "utf8"));
  const [api] = Object.values(legacy.api_tokens) as Record<string, unknown>[];
  const broken: Record<string, unknown>[] = [
    { capabilities: 5 },
    { capabilities: ["read", 7] },
    { created_by: 5 },
    { created_at: "yesterday" },
    { parents: "x" },
    { parents: [{ email: "root@example.com" }] },
    { id: "another" },
  ];
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-legacy-"));
  try {
    for (const [i, change] of broken.entries()) {
      const file = join(dir, `t${i}.json`);
      const record = { ...api, expires_at: Date.now() / 1000 + 3600, ...change };
      await writeFile(file, JSON.stringify({ api_tokens: { [api!.id as string]: record } }));
      using store = new SqliteStore(join(dir, `t${i}.db`), { importFrom: file, log: () => {} });
      await assert.rejects(store.changesSince(), (error: Error) => {
        assert.ok(error instanceof ConfigError, `${JSON.stringify(change)}: ${error}`);
        assert.match(error.message, new RegExp(`t${i}\\.json: api_tokens\\.`));
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

for (
  const [what, content] of [
    ["is not JSON", "{oops"],
    ["holds a bad revocation", JSON.stringify({ revoked_ids: { a: "x" } })],
    [
      "holds a bad API token",
      JSON.stringify({ api_tokens: { x: { name: "n", capabilities: 5 } } }),
    ],
  ]
) {
  it(`makes oauth.ready() throw a ConfigError naming caps.tokens.json when it ${what}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-legacy-"));
    try {
      await cp(join(LEGACY, "caps.yaml"), join(dir, "caps.yaml"));
      await writeFile(join(dir, "caps.tokens.json"), content!);
      await using ex = await startExample({
        capabilities: { graph: GRAPH, autoAdmin: true, userFile: join(dir, "caps.yaml") },
      });
      await assert.rejects(ex.oauth.ready(), (error: Error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /caps\.tokens\.json/);
        return true;
      });
      assert.ok((await readdir(dir)).includes("caps.tokens.json"), "nothing was imported");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
