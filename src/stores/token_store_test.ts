import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import assert from "node:assert/strict";
import { FileTokenStore, MemoryTokenStore } from "./token_store.ts";
import { tokenStoreConformance } from "./_token_store_conformance.ts";

tokenStoreConformance(
  "MemoryTokenStore",
  (clock) => Promise.resolve({ store: new MemoryTokenStore({ clock }) }),
);

tokenStoreConformance("FileTokenStore", async (clock) => {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-grants-"));
  return {
    store: new FileTokenStore(join(dir, "caps.tokens.json"), { clock }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

it("FileTokenStore keeps grants beside the revocations and drops expired ones on write", async () => {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-grants-"));
  try {
    let now = Date.UTC(2026, 0, 1);
    const file = join(dir, "caps.tokens.json");
    const store = new FileTokenStore(file, { clock: () => now });
    const base = { email: "a@b.c", version: 1, data: {} };
    await store.putGrant({ ...base, id: "short", expires_at: now / 1000 + 10 }, 0);
    await store.putGrant({ ...base, id: "long", expires_at: now / 1000 + 1000 }, 0);
    now += 20_000;
    await store.update((s) => s);
    const saved = JSON.parse(await readFile(file, "utf8"));
    assert.deepEqual(Object.keys(saved.grants), ["long"]);
    assert.deepEqual(Object.keys(saved).sort(), [
      "api_tokens",
      "grants",
      "revoked_accounts",
      "revoked_ids",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("FileTokenStore does not parse its whole file again for each grant read while it is unchanged", async () => {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-grants-"));
  const parse = JSON.parse;
  try {
    const now = Date.UTC(2026, 0, 1);
    const file = join(dir, "caps.tokens.json");
    const store = new FileTokenStore(file, { clock: () => now });
    const base = { email: "a@b.c", version: 1, data: {}, expires_at: now / 1000 + 1000 };
    for (let i = 0; i < 20; i++) await store.putGrant({ ...base, id: `g${i}` }, 0);
    let parsed = 0;
    JSON.parse = (text: string, ...rest) => {
      if (text.includes('"revoked_ids"')) parsed++;
      return parse(text, ...rest);
    };
    for (let i = 0; i < 50; i++) {
      assert.equal((await store.getGrant(`g${i % 20}`))?.id, `g${i % 20}`);
    }
    assert.equal((await store.grantsOf("a@b.c")).length, 20);
    assert.ok(parsed <= 1, `the file was parsed ${parsed} times`);
    // Another process's write is seen at the next read.
    await new FileTokenStore(file, { clock: () => now }).putGrant({ ...base, id: "other" }, 0);
    assert.equal((await store.getGrant("other"))?.id, "other");
  } finally {
    JSON.parse = parse;
    await rm(dir, { recursive: true, force: true });
  }
});
