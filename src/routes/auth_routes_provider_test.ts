// The login routes against a provider that misbehaves, made so by the mock's switches.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "../../testing/_fixtures.ts";

describe("login routes when the provider misbehaves", () => {
  it("answers 503 to a bearer token that needs the provider while it is down, 200 once it is back", async () => {
    await using ex = await startExample({ users: "test@example.com: [read]\n" });
    const token = (await ex.tester.browser().get("/token")).json<{ refresh_token: string }>()
      .refresh_token;
    ex.clock.advance(3601); // past what the provider's last answer vouched for
    await ex.mock.down();
    const headers = { authorization: `Bearer ${token}` };
    const down = await fetch(`${ex.tester.url}/read`, { headers });
    assert.equal(down.status, 503);
    assert.equal((await down.json()).error, "provider_unavailable");
    await ex.mock.up();
    const back = await fetch(`${ex.tester.url}/read`, { headers });
    assert.equal(await back.text(), "read by test@example.com");
  });

  for (
    const [what, fault] of [
      ["a 503", { status: 503, error: "temporarily_unavailable" }],
      ["a garbage body", { body: "<html>Bad gateway" }],
      ["a 500", {}],
    ] as const
  ) {
    it(`answers 502 when the token endpoint answers ${what} at the callback`, async () => {
      await using ex = await startExample();
      const browser = ex.tester.browser();
      await browser.get("/hello"); // discovery done: the fault hits the code exchange
      ex.mock.fail("token", fault);
      const res = await browser.get("/login", {}, { expect: 502 });
      assert.equal(res.json<{ error: string }>().error, "provider_unavailable");
      await browser.get("/login");
      assert.equal((await browser.get("/hello")).text, "hello test@example.com");
    });
  }

  it("logs in after the provider rotated its signing key away", async () => {
    await using ex = await startExample();
    const browser = ex.tester.browser();
    await browser.get("/login");
    await ex.mock.rotateKeys();
    await browser.get("/login");
    assert.equal((await browser.get("/hello")).text, "hello test@example.com");
  });

  it("refuses a login whose email the provider says is not verified", async () => {
    await using ex = await startExample();
    ex.mock.setUser("test@example.com", { email_verified: false });
    const res = await ex.tester.browser().get("/login", {}, { expect: 400 });
    assert.match(res.json<{ detail: string }>().detail, /not verified/);
  });

  it("shows the provider's display name of each user", async () => {
    await using ex = await startExample();
    ex.mock.setUser("test@example.com", { name: "Tess Ting", claims: { locale: "fr" } });
    const browser = ex.tester.browser();
    await browser.get("/login");
    assert.equal((await browser.get("/me")).json<{ name: string }>().name, "Tess Ting");
  });
});
