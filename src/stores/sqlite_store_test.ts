import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "./sqlite_store.ts";
import { tokenStoreConformance } from "./_token_store_conformance.ts";
import { StoreUnavailable } from "../errors.ts";
import { DatabaseSync } from "node:sqlite";

async function folder(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-sqlite-"));
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

tokenStoreConformance("SqliteStore", async (clock, logRetention) => {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-sqlite-"));
  const file = join(dir, "caps.db");
  const opened: SqliteStore[] = [];
  const open = () => {
    const store = new SqliteStore(file, { clock, logRetention, checkInterval: 0 });
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    second: () => Promise.resolve(open()),
    close: async () => {
      for (const store of opened) store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("SqliteStore", () => {
  it("checks its options once, naming the bad one", () => {
    assert.throws(() => new SqliteStore(""), /"file"/);
    assert.throws(() => new SqliteStore("x.db", { checkInterval: -1 }), /"checkInterval"/);
    assert.throws(() => new SqliteStore("x.db", { logRetention: 0 }), /"logRetention"/);
    assert.throws(() => new SqliteStore("x.db", { importFrom: "" }), /"importFrom"/);
  });

  it("makes its database file readable by the app's user only", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.db");
    using store = new SqliteStore(file);
    await store.revokeId("x", Date.now() + 60_000);
    for (const name of ["caps.db", "caps.db-wal", "caps.db-shm"]) {
      assert.equal((await stat(join(f.dir, name))).mode & 0o777, 0o600, name);
    }
  });

  it("makes an existing database file readable by the app's user only, its -wal and -shm too", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.db");
    // Touched or copied in with the usual umask.
    await writeFile(file, new Uint8Array());
    await chmod(file, 0o644);
    using store = new SqliteStore(file);
    await store.revokeId("x", Date.now() + 60_000);
    for (const name of ["caps.db", "caps.db-wal", "caps.db-shm"]) {
      assert.equal((await stat(join(f.dir, name))).mode & 0o777, 0o600, name);
    }
  });

  it("waits, without blocking the event loop, for another process's write lock", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.db");
    using store = new SqliteStore(file);
    await store.revokeId("first", Date.now() + 60_000);
    const other = new DatabaseSync(file);
    other.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const write = store.revokeId("second", Date.now() + 60_000);
    // Released from a timer: a store that waited synchronously would never let it run.
    await new Promise((resolve) => setTimeout(resolve, 100));
    other.exec("COMMIT");
    other.close();
    await write;
    clearInterval(timer);
    assert.ok(ticks > 0, "the event loop ran meanwhile");
    const ids = (await store.changesSince()).changes.map((c) => c.kind === "revoke_id" && c.id);
    assert.deepEqual(ids.sort(), ["first", "second"]);
  });

  it("refuses a database written by a newer version, naming the file", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.db");
    const newer = new DatabaseSync(file);
    newer.exec("PRAGMA user_version = 99");
    newer.close();
    using store = new SqliteStore(file);
    await assert.rejects(store.changesSince(), (error) => {
      assert.ok(error instanceof StoreUnavailable);
      assert.match(error.message, /caps\.db.*newer than this code/);
      return true;
    });
  });

  it("answers a file that is not a database with StoreUnavailable naming the file", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.db");
    await writeFile(file, "not a database, just text ".repeat(100));
    using store = new SqliteStore(file);
    await assert.rejects(store.revokeId("x", Date.now() + 1000), (error) => {
      assert.ok(error instanceof StoreUnavailable);
      assert.match(error.message, /caps\.db/);
      return true;
    });
  });

  it("imports a token file of earlier versions once, keeping it as a backup", async () => {
    await using f = await folder();
    const now = Date.UTC(2026, 0, 1);
    const old = join(f.dir, "caps.tokens.json");
    // As the former FileTokenStore wrote it.
    const content = {
      revoked_ids: { "sess-1": now + 60_000, "gone": now - 1 },
      revoked_accounts: { "bob@example.com": now / 1000 - 10 },
      api_tokens: {
        "t1": {
          id: "t1",
          name: "ci",
          capabilities: ["read"],
          expires_at: now / 1000 + 600,
          created_by: "root@example.com",
          created_at: now / 1000 - 60,
        },
      },
      grants: {
        "g1": {
          id: "g1",
          email: "ann@example.com",
          version: 3,
          expires_at: now / 1000 + 3600,
          data: { sealed: "x", tokens: ["a"] },
        },
      },
    };
    await writeFile(old, JSON.stringify(content) + "\n");
    const logs: string[] = [];
    const make = () =>
      new SqliteStore(join(f.dir, "caps.db"), {
        clock: () => now,
        importFrom: old,
        log: (m) => logs.push(m),
      });
    {
      using store = make();
      const { changes } = await store.changesSince();
      assert.deepEqual(changes.map((c) => c.kind).sort(), [
        "api_token",
        "revoke_account",
        "revoke_id",
      ]);
      assert.deepEqual(await store.getGrant("g1"), content.grants.g1);
    }
    assert.deepEqual(
      (await readdir(f.dir)).filter((n) => n.endsWith("json") || n.endsWith("imported")),
      [
        "caps.tokens.json.imported",
      ],
    );
    assert.equal(await readFile(`${old}.imported`, "utf8"), JSON.stringify(content) + "\n");
    assert.match(logs.join("\n"), /imported .*caps\.tokens\.json.* 1 API tokens, 1 logins/);
    // A later start (even with a token file back in place) imports nothing again.
    await writeFile(old, JSON.stringify({ revoked_ids: { "sess-2": now + 60_000 } }));
    using again = make();
    const ids = (await again.changesSince()).changes.filter((c) => c.kind === "revoke_id");
    assert.deepEqual(ids, [{ kind: "revoke_id", id: "sess-1", until: now + 60_000 }]);
  });

  it("refuses to import a token file that does not parse, and imports it once repaired", async () => {
    await using f = await folder();
    const old = join(f.dir, "caps.tokens.json");
    await writeFile(old, "{ broken");
    const store = new SqliteStore(join(f.dir, "caps.db"), { importFrom: old, log: () => {} });
    await assert.rejects(
      store.changesSince(),
      /caps\.tokens\.json.*JSON|JSON.*caps\.tokens\.json/s,
    );
    await writeFile(old, JSON.stringify({ revoked_ids: { s: Date.now() + 60_000 } }));
    assert.equal((await store.changesSince()).changes.length, 1);
    store.close();
  });

  it("keeps capabilities as rows, seen by another connection through the log", async () => {
    await using f = await folder();
    const file = join(f.dir, "caps.db");
    using a = new SqliteStore(file, { checkInterval: 0 });
    using b = new SqliteStore(file, { checkInterval: 0 });
    await a.capabilities.update("ann@example.com", () => ["read"]);
    await a.capabilities.update("bob@example.com", () => ["write"]);
    assert.deepEqual(b.capabilities.peek("ann@example.com"), { value: ["read"] });
    const version = b.capabilities.version;
    await a.capabilities.update("ann@example.com", () => undefined);
    assert.deepEqual(b.capabilities.peek("ann@example.com"), { value: undefined });
    assert.ok(b.capabilities.version > version);
    assert.deepEqual([...(await b.capabilities.all()).keys()], ["bob@example.com"]);
    const refusal = new Error("no");
    await assert.rejects(
      a.capabilities.update("bob@example.com", () => {
        throw refusal;
      }),
      (e) => e === refusal,
    );
    assert.deepEqual(await b.capabilities.get("bob@example.com"), ["write"]);
  });
});
