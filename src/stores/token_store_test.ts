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
