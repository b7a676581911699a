import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Example, startExample } from "../../testing/_fixtures.ts";
import { MAX_GRANTS_PER_ACCOUNT, MAX_TOKENS_PER_ACCOUNT } from "./grants.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";

const USERS = "ann@example.com: [read]\n";

/** The example app on a token store the test can look into. */
async function withStore(
  options: { providerLogout?: boolean } = {},
): Promise<{ ex: Example; store: MemoryTokenStore }> {
  let now = Date.now;
  const store = new MemoryTokenStore({ clock: () => now() });
  const ex = await startExample({ users: USERS, tokenStore: store, ...options });
  now = ex.clock.read;
  await ex.mock.setEmail("ann@example.com");
  return { ex, store };
}

describe("grant records per account", () => {
  it("keeps no record of a login made for a token the account may not have", async () => {
    const { ex, store } = await withStore();
    await using _ = ex;
    for (let i = 0; i < MAX_TOKENS_PER_ACCOUNT + 5; i++) {
      // A fresh browser each time: an offline login, and a grant record, per request.
      const expect = i < MAX_TOKENS_PER_ACCOUNT ? 200 : 429;
      await ex.tester.browser().get("/token", {}, { expect });
    }
    assert.equal((await store.grantsOf("ann@example.com")).length, MAX_TOKENS_PER_ACCOUNT);
  });

  it(`keeps at most ${MAX_GRANTS_PER_ACCOUNT}, letting go of the oldest logins no token holds`, async () => {
    // With providerLogout, every browser login keeps a grant (for its ID token) until logout.
    const { ex, store } = await withStore({ providerLogout: true });
    await using _ = ex;
    const scripted = ex.tester.browser();
    const token = (await scripted.get("/token")).json<{ refresh_token: string }>().refresh_token;
    for (let i = 0; i < MAX_GRANTS_PER_ACCOUNT + 10; i++) {
      ex.clock.advance(1000);
      await ex.tester.browser().get("/login");
    }
    const records = await store.grantsOf("ann@example.com");
    assert.equal(records.length, MAX_GRANTS_PER_ACCOUNT);
    assert.ok(records.some((r) => (r.data.tokens as string[]).length === 1), "the token's grant");
    const res = await fetch(`${ex.tester.url}/read`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200, await res.text());
  });
});
