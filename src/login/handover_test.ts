import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

const BROWSER = { accept: "text/html,*/*;q=0.8" };

/** The handover cookie the callback of a login through /token sets. */
async function handoverCookie(app: string): Promise<string> {
  const login = await fetch(`${app}/login?redirect=token`, { redirect: "manual" });
  const state = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const back = await fetch(login.headers.get("location")!, { redirect: "manual" });
  const callback = await fetch(back.headers.get("location")!, {
    redirect: "manual",
    headers: { cookie: state },
  });
  await callback.body?.cancel();
  return callback.headers.getSetCookie().map((c) => c.split(";")[0])
    .find((c) => c.startsWith("easy_oauth_handover="))!;
}

describe("the token handover", () => {
  it("clears its cookie when taken, and expires after a minute", async () => {
    await using ex = await startExample();
    const cookie = await handoverCookie(ex.tester.url);
    const taken = await fetch(`${ex.tester.url}/token`, { headers: { cookie } });
    assert.equal(typeof (await taken.json()).refresh_token, "string");
    assert.ok(
      taken.headers.getSetCookie().some((c) => /^easy_oauth_handover=;.*Max-Age=0/.test(c)),
    );
    const late = await handoverCookie(ex.tester.url);
    ex.clock.advance(61);
    const res = await fetch(`${ex.tester.url}/token`, {
      headers: { cookie: late, ...BROWSER },
      redirect: "manual",
    });
    assert.equal(res.status, 307, "expired: a guest is sent to log in");
    assert.match(res.headers.get("location")!, /^\/login\?offline_token=true/);
  });

  it("does not open a value sealed for another purpose", async () => {
    await using ex = await startExample();
    const browser = ex.tester.browser();
    await browser.get("/login");
    const [, session] = [...browser.cookies(ex.tester.url)].find(([n]) => n.includes("session"))!;
    const res = await fetch(`${ex.tester.url}/token`, {
      headers: { cookie: `easy_oauth_handover=${session}` },
      redirect: "manual",
    });
    assert.equal(res.status, 307);
    await res.body?.cancel();
  });
});
