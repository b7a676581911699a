// Three app processes (two under Deno, one under Bun) on one SQLite file: what
// one does, the others honour; no write of any of them is lost; a read never
// hides another process's change; a process killed in the middle of its
// writes leaves a store that opens and holds every acknowledged change.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { OAuthMock } from "../../testing/mod.ts";
import { call, login, type Replicas, startReplicas } from "../../testing/_replicas.ts";
import {
  BOSS,
  concurrentWrites,
  readsHideNothing,
  revocationsTravel,
} from "../../testing/_replica_scenarios.ts";
import { SqliteStore } from "./sqlite_store.ts";

for (const mode of ["files", "sqlite"] as const) {
  const what = mode === "files"
    ? "the default stores (caps.yaml, and caps.db beside it)"
    : "one SQLite file for capabilities and tokens";
  describe(`three replicas on ${what}`, () => {
    let mock: OAuthMock;
    let replicas: Replicas;
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "easy-oauth-replicas-"));
      mock = await OAuthMock.start({ port: 0 });
      replicas = await startReplicas(["deno", "bun", "deno"], {
        EASY_OAUTH_STORE: mode,
        EASY_OAUTH_DIR: dir,
        EASY_OAUTH_POLL_MS: "100",
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
      await revocationsTravel(replicas.urls, 2000).catch((e) => {
        throw replicas.explain(e);
      });
    });

    it("hides no change from a process that read the store in between", {
      timeout: 60_000,
    }, async () => {
      await readsHideNothing(replicas.urls, 2000).catch((e) => {
        throw replicas.explain(e);
      });
    });

    it("loses none of 3 × 100 concurrent capability writes", { timeout: 60_000 }, async () => {
      await concurrentWrites(replicas.urls).catch((e) => {
        throw replicas.explain(e);
      });
      if (mode === "files") {
        const users = parse(await readFile(join(dir, "caps.yaml"), "utf8"));
        assert.equal(users["same@example.com"].length, 300);
      } else {
        using store = new SqliteStore(join(dir, "caps.db"));
        assert.equal((await store.capabilities.get("same@example.com"))?.length, 300);
      }
    });

    if (mode === "sqlite") {
      it("keeps every acknowledged change of a process killed with SIGKILL mid-writes", {
        timeout: 60_000,
      }, async () => {
        const victim = replicas.urls[1];
        const boss = await login(victim, BOSS);
        const acknowledged: string[] = [];
        let killed = false;
        const writes = Array.from({ length: 300 }, async (_, i) => {
          const user = `k${i}@example.com`;
          try {
            const res = await call(victim, "/token/revoke", { token: boss }, { user });
            if (res.status === 200) acknowledged.push(user);
          } catch {
            // Cut off by the kill.
          }
          if (acknowledged.length >= 30 && !killed) {
            killed = true;
            await replicas.kill(1);
          }
        });
        await Promise.all(writes);
        assert.ok(killed, "the process was killed during the writes");
        assert.ok(acknowledged.length >= 30 && acknowledged.length < 300, `${acknowledged.length}`);
        using store = new SqliteStore(join(dir, "caps.db"));
        const revoked = new Set(
          (await store.changesSince()).changes.flatMap((c) =>
            c.kind === "revoke_account" ? [c.email] : []
          ),
        );
        assert.deepEqual(acknowledged.filter((user) => !revoked.has(user)), []);
        // The others go on using it.
        const res = await call(replicas.urls[0], "/token/revoke", { token: boss }, {
          user: "after@example.com",
        });
        assert.equal(res.status, 200);
      });
    }
  });
}
