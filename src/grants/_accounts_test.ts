import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { newRecord, spareRecords } from "./_accounts.ts";
import { MAX_GRANTS_PER_ACCOUNT } from "./grant_data.ts";

const ANN = { email: "ann@example.com", sub: "sub-ann", iss: "https://idp.example.com" };
const NOW = 1_767_225_600;

describe("spareRecords", () => {
  it("lets go of dead records first, then logins only a session holds, never one the provider refused", async () => {
    const store = new MemoryTokenStore({ clock: () => NOW * 1000 });
    const put = async (id: string, data: Record<string, unknown>, sessionUntil = 0) => {
      const record = newRecord(id, ANN, "sealed", { sessionUntil, tokens: [] }, NOW, 3600);
      assert.ok(await store.putGrant({ ...record, data: { ...record.data, ...data } }, 0));
    };
    await put("refused", { dead: true, refused: true });
    await put("dead", { dead: true });
    for (let i = 0; i < MAX_GRANTS_PER_ACCOUNT - 2; i++) await put(`s${i}`, {}, NOW * 1000 + i);
    const spare = await spareRecords(store, ANN.email);
    assert.deepEqual(spare.map((r) => r.id), ["dead"]);
    await put("one-more", {}, NOW * 1000 + 500);
    const two = await spareRecords(store, ANN.email);
    assert.deepEqual(two.map((r) => r.id), ["dead", "s0"]);
  });
});
