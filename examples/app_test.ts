import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serveExample } from "./_serve_example.ts";

describe("the example app", () => {
  it("lets announcers shout, others read, and guests log in first", async () => {
    await using ex = await serveExample();
    const { mock, tester } = ex;
    const friend = await tester.client("friend@rainbows.com");
    assert.equal(
      (await friend.get("/shout", { message: "hi" })).text,
      'friend@rainbows.com shouts "hi"',
    );
    const pierre = await tester.client("pierre-jean-jacques@youhou.fr");
    await pierre.get("/shout", { message: "hi" }, { expect: 403 });
    await pierre.get("/read");
    const stranger = await tester.client("stranger@example.com");
    await stranger.get("/read"); // a default capability
    await stranger.post("/write", undefined, { expect: 403 });
    const browser = tester.browser();
    await mock.setEmail("friend@rainbows.com");
    assert.equal(
      (await browser.get("/shout", { message: "yo" })).text,
      'friend@rainbows.com shouts "yo"',
    );
    assert.match((await browser.get("/")).text, /You are friend@rainbows.com/);
  });
});
