// FileTokenStore shared by several processes: two stores on one file stand
// for two processes (each keeps its own memory, as a process would).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { FileTokenStore } from "./token_store.ts";
import { Revocations } from "../credentials/revocations.ts";

async function folder(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-tokens-"));
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

describe("FileTokenStore with several processes", () => {
  it("notices another process's write at the first check after pollInterval", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.tokens.json");
    let now = 0;
    const clock = () => now;
    const a = new FileTokenStore(file, { pollInterval: 100, clock });
    const b = new FileTokenStore(file, { pollInterval: 100, clock });
    await b.load();
    const seen = b.version;
    await a.update((s) => ({ ...s, revoked_ids: { ...s.revoked_ids, t1: 1e13 } }));
    assert.equal(b.sync(), undefined, "no check before the interval");
    now += 100;
    await b.sync();
    assert.notEqual(b.version, seen);
    assert.deepEqual(Object.keys((await b.load()).revoked_ids), ["t1"]);
    const after = b.version;
    now += 100;
    await b.sync();
    assert.equal(b.version, after, "an unchanged file is not reported again");
  });

  it("loses no write of concurrent stores on one file, and leaves no lock behind", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.tokens.json");
    const stores = [0, 1, 2].map(() => new FileTokenStore(file));
    await Promise.all(
      stores.flatMap((store, s) =>
        Array.from({ length: 30 }, (_, i) =>
          store.update((state) => {
            state.revoked_ids[`${s}-${i}`] = 1e13;
            return state;
          }))
      ),
    );
    assert.equal(Object.keys((await new FileTokenStore(file).load()).revoked_ids).length, 90);
    assert.deepEqual(await readdir(f.dir), ["caps.tokens.json"]);
  });

  it("refuses a bad pollInterval with a TypeError naming it", () => {
    assert.throws(() => new FileTokenStore("x.json", { pollInterval: -1 }), /"pollInterval"/);
  });

  it("keeps the last good copy when another process leaves a broken file, and says so once", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.tokens.json");
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    const told: unknown[] = [];
    const revocations = new Revocations(
      new FileTokenStore(file, { pollInterval: 100, clock }),
      clock,
      (error) => told.push(error),
    );
    await revocations.revokeId("t1", now + 60_000);
    await writeFile(file, "{ broken");
    now += 100;
    await revocations.ready();
    assert.ok(revocations.isRevoked({ email: "ann@example.com", tokenId: "t1" }));
    assert.equal(told.length, 1);
    now += 100;
    await revocations.ready();
    assert.equal(told.length, 1, "the broken file is not read again until it changes");
    assert.ok(revocations.isRevoked({ email: "ann@example.com", tokenId: "t1" }));
  });
});
