// Shared by the example's tests: the example app on a copy of examples/caps.yaml
// (never the tracked file), against a mock provider, all disposed of together.
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OAuthManager } from "../mod.ts";
import { AppTester, OAuthMock } from "../testing/mod.ts";
import { createApp, exampleOptions } from "./app.ts";

/** The served example app and its mock provider. */
export interface ServedExample extends AsyncDisposable {
  mock: OAuthMock;
  tester: AppTester;
}

/** Serves the example app with its capability file copied to a temporary folder. */
export async function serveExample(): Promise<ServedExample> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-example-"));
  const userFile = join(dir, "caps.yaml");
  await copyFile(new URL("./caps.yaml", import.meta.url), userFile);
  const mock = await OAuthMock.start({ port: 0 });
  const oauth = new OAuthManager(
    exampleOptions(mock.metadataUrl, "7pX6hI8JtwXNwvAmk3FEF2l6ZxpO-OYgar7HWAQRqX0", userFile),
  );
  const tester = await AppTester.start(createApp(oauth), mock);
  return {
    mock,
    tester,
    async [Symbol.asyncDispose]() {
      await tester.close();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
