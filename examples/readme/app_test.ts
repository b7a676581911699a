// app_test.ts — `deno test -A` or `bun test`
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppTester, OAuthMock } from "@easy-oauth/hono/testing";
import { createApp } from "./app.ts";

test("announcers shout, other users are refused, guests are sent to log in", async () => {
  // The test's own data files, in a folder of its own: never the app's real ones.
  const dir = await mkdtemp(join(tmpdir(), "app-test-"));
  await using _ = { [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
  await writeFile(join(dir, "caps.yaml"), "friend@rainbows.com: [announce]\n");

  await using mock = await OAuthMock.start({ port: 0 }); // port 0: any free port
  const app = createApp({
    serverMetadataUrl: mock.metadataUrl,
    secretKey: "Q2mVx8Jb1sKc0pTnW6yEoR4uLh9dAfZg7iN3qYtUe5M",
    clientId: "test",
    userFile: join(dir, "caps.yaml"),
  });
  await using tester = await AppTester.start(app, mock);

  const friend = await tester.client("friend@rainbows.com"); // logs in through the mock
  const res = await friend.get("/shout", { message: "hi" }); // expect defaults to 200
  assert.equal(res.text, 'friend@rainbows.com shouts "hi"');
  const reader = await tester.client("reader@example.com"); // "read", by default
  await reader.get("/shout", { message: "hi" }, { expect: 403 });
  const guest = await tester.client();
  await guest.get("/shout", { message: "hi" }, { expect: 307 }); // to /login, then back
});
