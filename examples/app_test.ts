import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OAuthManager } from "../mod.ts";
import { AppTester, OAuthMock } from "../testing/mod.ts";
import { createApp, exampleOptions } from "./app.ts";

describe("the example app", () => {
  it("lets announcers shout, others read, and guests log in first", async () => {
    const dir = await mkdtemp(join(tmpdir(), "easy-oauth-example-"));
    try {
      const userFile = join(dir, "caps.yaml");
      await copyFile(new URL("./caps.yaml", import.meta.url), userFile);
      await using mock = await OAuthMock.start({ port: 0 });
      const oauth = new OAuthManager(
        exampleOptions(mock.metadataUrl, "an example secret of 32+ characters!!", userFile),
      );
      await using tester = await AppTester.start(createApp(oauth), mock);
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
