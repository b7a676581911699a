import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startExample } from "./_fixtures.ts";

describe("AppTester", () => {
  it("gives clients that do not follow redirects, as upstream's httpx client", async () => {
    await using ex = await startExample({ users: "ann@example.com: [announce]\n" });
    const guest = await ex.tester.client();
    const res = await guest.get("/shout", { message: "x" }, { expect: 307 });
    assert.equal(res.headers.get("location"), "/login?next=%2Fshout%3Fmessage%3Dx");
    const ann = await ex.tester.client("ann@example.com");
    const out = await ann.get("/logout", {}, { expect: 307 });
    assert.equal(out.headers.get("location"), "/");
  });

  it("gives a browser that still follows redirects through the provider", async () => {
    await using ex = await startExample({ users: "ann@example.com: [announce]\n" });
    await ex.mock.setEmail("ann@example.com");
    const page = await ex.tester.browser().get("/shout", { message: "x" });
    assert.equal(page.text, 'ann@example.com shouts "x"');
  });
});
