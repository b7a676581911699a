// The multi-process scenarios (not published), run by the PostgreSQL and the
// file tests against three replicas sharing their state.
import assert from "node:assert/strict";
import { TestBrowser } from "./mod.ts";
import { call, eventually, login } from "./_replicas.ts";

/** Who may change capabilities in the replicas (`userOverrides`). */
export const BOSS = "boss@example.com";

/**
 * A token revoked, an account revoked and a session logged out through one
 * replica are refused by the others within `withinMs`; the time each took.
 */
export async function revocationsTravel(urls: string[], withinMs: number): Promise<number[]> {
  const [a, b, c] = urls;
  const waited: number[] = [];
  const refusedEverywhere = async (what: string, auth: { token?: string; cookie?: string }) => {
    for (const url of urls) {
      waited.push(
        await eventually(
          `${what} refused by ${url}`,
          async () => (await call(url, "/me", auth)).status === 401,
          withinMs,
        ),
      );
    }
  };
  const acceptedEverywhere = async (auth: { token?: string; cookie?: string }) => {
    for (const url of urls) assert.equal((await call(url, "/me", auth)).status, 200, url);
  };

  const token = await login(a, "ann@example.com");
  await acceptedEverywhere({ token });
  assert.equal((await call(a, "/token/revoke", { token }, { token })).status, 200);
  await refusedEverywhere("a token revoked through A", { token });

  const bobs = [await login(b, "bob@example.com"), await login(c, "bob@example.com")];
  await acceptedEverywhere({ token: bobs[0] });
  const boss = await login(c, BOSS);
  const revoked = await call(c, "/token/revoke", { token: boss }, { user: "bob@example.com" });
  assert.equal(revoked.status, 200);
  for (const bob of bobs) await refusedEverywhere("an account revoked through C", { token: bob });

  const browser = new TestBrowser(a);
  await browser.get("/login", { login_hint: "cat@example.com" }, { expect: null });
  const cookie = [...browser.cookies(a)].map(([k, v]) => `${k}=${v}`).join("; ");
  await acceptedEverywhere({ cookie });
  const logout = await call(b, "/logout", { cookie });
  assert.ok(logout.status >= 300 && logout.status < 400, `logout answered ${logout.status}`);
  await refusedEverywhere("a session logged out through B", { cookie });
  return waited;
}

/**
 * 3 × 100 concurrent capability writes through three replicas, on one
 * account, on different accounts, and removals racing with additions:
 * every write answers 200, none is lost, every removal stays removed, and
 * every replica ends up seeing the same.
 */
export async function concurrentWrites(urls: string[]): Promise<void> {
  const boss = await login(urls[0], BOSS);
  const write = (url: string, route: string, body: unknown) =>
    call(url, `/manage_capabilities/${route}`, { token: boss }, body);
  const all = async (writes: Promise<{ status: number; body: unknown }>[]) => {
    const results = await Promise.all(writes);
    const failed = results.filter((r) => r.status !== 200);
    assert.deepEqual(failed, [], `${failed.length} of ${results.length} writes failed`);
  };
  const each = <T>(f: (url: string, r: number, i: number) => T) =>
    urls.flatMap((url, r) => Array.from({ length: 100 }, (_, i) => f(url, r, i)));

  await all(
    each((url, r, i) =>
      write(url, "add", { email: "same@example.com", capability: `c${r * 100 + i}` })
    ),
  );
  await all(
    each((url, r, i) => write(url, "add", { email: `u${r}-${i}@example.com`, capability: "read" })),
  );
  await all(
    Array.from(
      { length: 100 },
      (_, i) =>
        write(urls[i % 3], "set", { email: `r${i}@example.com`, capabilities: ["x", "read"] }),
    ),
  );
  await all(
    each((url, r, i) =>
      r === 0
        ? write(url, "remove", { email: `r${i}@example.com`, capability: "x" })
        : write(url, "add", { email: `r${i}@example.com`, capability: `c${r}` })
    ),
  );

  for (const url of urls) {
    await eventually(`${url} sees every write`, async () => {
      const { body } = await call(url, "/manage_capabilities/users", { token: boss });
      const users = (body as { users: Record<string, string[]> }).users;
      return (users["same@example.com"]?.length === 300) &&
        urls.every((_, r) =>
          Array.from({ length: 100 }, (_, i) => users[`u${r}-${i}@example.com`])
            .every((list) => list?.[0] === "read")
        ) &&
        Array.from({ length: 100 }, (_, i) => users[`r${i}@example.com`]).every((list) =>
          list !== undefined && !list.includes("x") &&
          ["read", "c1", "c2"].every((name) => list.includes(name))
        );
    }, 10_000);
  }
}

/**
 * The hole of issue 17: an account revoked through A stays revoked on B even
 * when B read the store for another token in between (a login through B
 * writes and reads its own grant record): B refuses, within `withinMs`, the
 * revoked account's token that it had already seen and accepted.
 */
export async function readsHideNothing(urls: string[], withinMs: number): Promise<void> {
  const [a, b] = urls;
  const boss = await login(a, BOSS);
  const ann = await login(b, "ann@example.com");
  assert.equal((await call(b, "/me", { token: ann })).status, 200);
  const revoked = await call(a, "/token/revoke", { token: boss }, { user: "ann@example.com" });
  assert.equal(revoked.status, 200);
  // B reads the store for another token in between.
  const dan = await login(b, "dan@example.com");
  assert.equal((await call(b, "/me", { token: dan })).status, 200);
  await eventually(
    "B refuses the token of the account revoked through A",
    async () => (await call(b, "/me", { token: ann })).status === 401,
    withinMs,
  );
  assert.equal((await call(b, "/me", { token: dan })).status, 200, "and only that account");
}
