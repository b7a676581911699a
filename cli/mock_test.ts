import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { main } from "./main.ts";

describe("easy-oauth mock", () => {
  it("serves the mock provider until stopped, then exits with status 0", async () => {
    const controller = new AbortController();
    let stdout = "";
    const done = main(["mock", "--port", "0", "--email", "ada@example.com"], {
      stdout: (text) => void (stdout += text),
      stderr: () => {},
      env: {},
      signal: controller.signal,
    });
    const deadline = Date.now() + 5000;
    while (!stdout.includes("server_metadata_url") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const url = stdout.match(/server_metadata_url: (\S+)/)?.[1];
    assert.ok(url, stdout);
    assert.match(stdout, /as ada@example\.com/);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const metadata = await response.json();
    assert.equal(`${metadata.issuer}/.well-known/openid-configuration`, url);
    controller.abort();
    assert.equal(await done, 0);
  });

  it("refuses a bad email with status 2", async () => {
    let stderr = "";
    const status = await main(["mock", "--email", "nobody"], {
      stdout: () => {},
      stderr: (text) => void (stderr += text),
      env: {},
    });
    assert.equal(status, 2);
    assert.match(stderr, /^easy-oauth: mock: --email/);
  });
});
