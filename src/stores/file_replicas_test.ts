// Three app processes (two under Deno, one under Bun) sharing one capability
// file and one token file on this machine: what one does, the others see
// within the poll interval; no write of any of them is lost.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { OAuthMock } from "../../testing/mod.ts";
import { type Replicas, startReplicas } from "../../testing/_replicas.ts";
import { concurrentWrites, revocationsTravel } from "../../testing/_replica_scenarios.ts";

const POLL_MS = 100;

describe("three replicas on one capability file and one token file", () => {
  let mock: OAuthMock;
  let replicas: Replicas;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "easy-oauth-replicas-"));
    mock = await OAuthMock.start({ port: 0 });
    replicas = await startReplicas(["deno", "bun", "deno"], {
      EASY_OAUTH_STORE: "files",
      EASY_OAUTH_DIR: dir,
      EASY_OAUTH_POLL_MS: String(POLL_MS),
      EASY_OAUTH_METADATA: mock.metadataUrl,
    });
  });
  after(async () => {
    await replicas?.close();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses everywhere a token, an account or a session revoked through one", {
    timeout: 60_000,
  }, async () => {
    const waited = await revocationsTravel(replicas.urls, 2000);
    assert.ok(Math.max(...waited) < POLL_MS + 1000, `waited ${Math.max(...waited)} ms`);
  });

  it("loses none of 3 × 100 concurrent capability writes", { timeout: 60_000 }, async () => {
    await concurrentWrites(replicas.urls);
    // The file itself holds every write, and no lock or temporary file is left.
    const users = parse(await readFile(join(dir, "caps.yaml"), "utf8"));
    assert.equal(users["same@example.com"].length, 300);
    assert.deepEqual((await readdir(dir)).sort(), ["caps.tokens.json", "caps.yaml"]);
  });
});
