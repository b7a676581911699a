// A login state is single-use on the server: a replayed callback (the same
// login cookie, state and code) never reaches the provider's token endpoint
// again, whichever replica sharing the token store it is sent to.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type OAuthEnv, OAuthManager } from "../../mod.ts";
import { GRAPH, SECRET, startExample } from "../../testing/_fixtures.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { StoreUnavailable } from "../errors.ts";

/** A `fetch` that counts the calls to the token endpoint. */
function counting(): { fetch: typeof fetch; tokenCalls: () => number } {
  let calls = 0;
  return {
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (new URL(url).pathname.endsWith("/token")) calls++;
      return fetch(input, init);
    },
    tokenCalls: () => calls,
  };
}

type Ex = Awaited<ReturnType<typeof startExample>>;

/** Starts a login and lets the provider answer: the callback URL and the login cookie. */
async function callback(ex: Ex): Promise<{ url: string; cookie: string }> {
  await ex.mock.setEmail("bea@example.com");
  const login = await fetch(`${ex.tester.url}/login`, { redirect: "manual" });
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  await login.body?.cancel();
  const authorize = await fetch(login.headers.get("location")!, { redirect: "manual" });
  await authorize.body?.cancel();
  const url = new URL(authorize.headers.get("location")!, ex.tester.url).href;
  assert.match(url, /\/auth\?.*code=/);
  return { url, cookie };
}

describe("a replayed login cookie", () => {
  it("makes exactly one token-endpoint call, however often it is replayed", async () => {
    const counter = counting();
    await using ex = await startExample({ fetch: counter.fetch });
    const { url, cookie } = await callback(ex);
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await fetch(url, { headers: { cookie }, redirect: "manual" });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    assert.equal(counter.tokenCalls(), 1);
    assert.ok(statuses[0] >= 300 && statuses[0] < 400, `the first answered ${statuses[0]}`);
    assert.deepEqual(new Set(statuses.slice(1)), new Set([400]));
  });

  it("makes exactly one token-endpoint call across two managers sharing one store", async () => {
    let now = Date.now;
    const store = new MemoryTokenStore({ clock: () => now() });
    const first = counting();
    await using ex = await startExample({ fetch: first.fetch, tokenStore: store });
    now = ex.clock.read;
    const second = counting();
    const other = new OAuthManager({
      serverMetadataUrl: ex.mock.metadataUrl,
      secretKey: SECRET,
      clientId: "example-client",
      clientSecret: "example-secret",
      capabilities: { graph: GRAPH },
      clock: ex.clock.read,
      fetch: second.fetch,
      tokenStore: store,
      log: () => {},
    });
    const app = other.install(new Hono<OAuthEnv>());
    const { url, cookie } = await callback(ex);
    const replayed = await app.request(url, { headers: { cookie } });
    const used = await fetch(url, { headers: { cookie }, redirect: "manual" });
    await used.body?.cancel();
    const again = await app.request(url, { headers: { cookie } });
    assert.equal(first.tokenCalls() + second.tokenCalls(), 1);
    assert.ok(replayed.status >= 300 && replayed.status < 400, `answered ${replayed.status}`);
    assert.deepEqual([used.status, again.status], [400, 400]);
  });
});

describe("a login callback when the token store cannot record the used state", () => {
  it("answers a logged 503 and calls no token endpoint", async () => {
    const counter = counting();
    let down = false;
    let now = Date.now;
    const store = new class extends MemoryTokenStore {
      override useOnce(key: string, until: number): Promise<boolean> {
        return down
          ? Promise.reject(new StoreUnavailable("the used login states cannot be written"))
          : super.useOnce(key, until);
      }
    }({ clock: () => now() });
    await using ex = await startExample({ fetch: counter.fetch, tokenStore: store });
    now = ex.clock.read;
    const { url, cookie } = await callback(ex);
    down = true;
    const res = await fetch(url, { headers: { cookie }, redirect: "manual" });
    await res.body?.cancel();
    assert.equal(res.status, 503);
    assert.equal(counter.tokenCalls(), 0);
    assert.ok(ex.logs.some((line) => /used login states cannot be written/.test(line)));
  });
});
