// Every snippet of README.md and of the docs/ pages runs as written: each ```ts
// and ```yaml block is the exact text of a file of examples/ (named in the
// comment above it), and the tests below run those files, the scripts against
// the example app (examples/readme/app_test.ts is a test of its own).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { main } from "../cli/main.ts";
import { AppTester, OAuthMock } from "../testing/mod.ts";
import { PostgresStore } from "../postgres/mod.ts";
import { serveExample } from "./_serve_example.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README_DIR = join(ROOT, "examples", "readme");

/** The data files an app of the README makes beside its caps.yaml (token store, audit trail). */
const DATA_FILES = ["caps.db", "caps.audit.db"].flatMap((db) => [db, `${db}-wal`, `${db}-shm`]);

/** The pages that show snippets: README.md and docs/*.md. */
async function pages(): Promise<string[]> {
  const docs = (await readdir(join(ROOT, "docs"))).filter((name) => name.endsWith(".md"));
  return ["README.md", ...docs.sort().map((name) => `docs/${name}`)];
}

/** The code blocks of a page with the file each one names. */
async function snippets(
  page: string,
): Promise<{ page: string; file: string | undefined; lang: string; code: string }[]> {
  const lines = (await readFile(join(ROOT, page), "utf8")).split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w+)$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.indexOf("```", i + 1);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    const file = /^<!-- (examples\/\S+) -->$/.exec(lines[before] ?? "")?.[1];
    found.push({ page, file, lang: fence[1]!, code: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return found;
}

/** Runs a file with the runtime running this test; its exit status and output. */
/** The environment the README's apps read their settings from. */
function useProvider(metadataUrl: string): void {
  Object.assign(process.env, {
    SERVER_METADATA_URL: metadataUrl,
    SECRET_KEY: "SlE65m_hjhu_RuLiquYgO9F69I1MrrehV6TDly7SSyc",
    CLIENT_ID: "readme-app",
    CLIENT_SECRET: "readme-secret",
  });
}

function run(file: string, env: Record<string, string>, cwd = ROOT) {
  const args = "Bun" in globalThis ? [file] : ["run", "-A", file];
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, ...env } },
      (_, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("the README's snippets", () => {
  it("are each the exact text of a file of examples/, on every page, and every file there is shown", async () => {
    const blocks = [];
    for (const page of await pages()) blocks.push(...await snippets(page));
    const code = blocks.filter((b) => b.lang === "ts" || b.lang === "yaml");
    assert.ok(code.length >= 11, `only ${code.length} blocks`);
    for (const { page, file, code: text } of code) {
      assert.ok(file, `a block of ${page} has no <!-- examples/… --> comment above it:\n${text}`);
      assert.equal(text, await readFile(join(ROOT, file), "utf8"), `${page} differs from ${file}`);
    }
    const shown = new Set(code.map((b) => b.file));
    for (const name of await readdir(README_DIR)) {
      assert.ok(
        shown.has(`examples/readme/${name}`),
        `examples/readme/${name} is on no page (README.md, docs/)`,
      );
    }
  });

  it("keep the README short: under 20 KB, the reference in docs/", async () => {
    const size = (await readFile(join(ROOT, "README.md"))).byteLength;
    assert.ok(size < 20_000, `README.md is ${size} bytes`);
  });

  it("usage: the server of the Usage section logs in through a provider and guards /shout", async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    useProvider(mock.metadataUrl);
    // Its userFile is caps.yaml in the working directory; logins keep their grant beside it.
    const made = DATA_FILES.map((n) => join(process.cwd(), n));
    const existed = await access(made[0]).then(() => true, () => false);
    await using _ = {
      [Symbol.asyncDispose]: async () => {
        if (!existed) { for (const file of made) await rm(file, { force: true }); }
      },
    };
    const { default: app } = await import("./readme/main.ts");
    await using tester = await AppTester.start(app, mock);
    const guest = await tester.client();
    const login = await guest.get("/shout", { message: "hi" }, { expect: 307 });
    assert.equal(login.headers.get("location"), "/login?next=%2Fshout%3Fmessage%3Dhi");
    const reader = await tester.client("reader@example.com"); // read, by default
    await reader.get("/shout", { message: "hi" }, { expect: 403 });
    const list = await reader.get("/manage_capabilities/list");
    assert.deepEqual(list.json<{ effective: string[] }>().effective, ["read"]);
  });

  it("configuration: config.yaml and caps.yaml pass `check` together, and fromConfig loads them", async () => {
    let out = "";
    const status = await main(["check", join(README_DIR, "config.yaml")], {
      stdout: (text) => void (out += text),
      stderr: (text) => void (out += text),
      env: {},
      prompt: () => Promise.resolve(undefined),
    });
    assert.equal(status, 0, out);
    // Its token database is made beside caps.yaml on first use.
    const made = DATA_FILES.map((n) => join(README_DIR, n));
    await using _ = {
      [Symbol.asyncDispose]: async () => {
        for (const file of made) await rm(file, { force: true });
      },
    };
    const loaded = await run("from_config.ts", {}, README_DIR);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout.trim(), "true true");
  });

  it("scripts: bearer token, service account, API token and revocation against the example app", async () => {
    await using ex = await serveExample();
    const { tester } = ex;
    const admin = await tester.client("test@example.com");
    const ann = await tester.client("ann@example.com");
    const script = (name: string, token: string) =>
      run(join("examples", "readme", name), { APP: tester.url, TOKEN: token });

    const used = await script("use_token.ts", ann.token!);
    assert.equal(used.stdout.trim(), "200 ann@example.com reads", used.stderr);
    const bot = await script("service_account.ts", admin.token!);
    assert.equal(bot.stdout.trim(), "bot@service writes", bot.stderr);
    const api = await script("api_token.ts", admin.token!);
    assert.match(api.stdout.trim(), /^\S+ \d+ api:ci-deploy writes$/, api.stderr);
    const revoked = await script("revoke.ts", admin.token!);
    assert.equal(revoked.stdout.trim(), "200 200", revoked.stderr);
    await ann.get("/read", {}, { expect: 401 });
    await admin.get("/read", {}, { expect: 401 });
  });

  it("replicas: the app of the replicas section shares capabilities through PostgreSQL", {
    skip: !process.env.DATABASE_URL && "DATABASE_URL is not set: PostgreSQL tests skipped",
  }, async () => {
    await using mock = await OAuthMock.start({ port: 0 });
    useProvider(mock.metadataUrl);
    const { default: replica } = await import("./readme/replicas.ts");
    // Another replica: a store of its own on the same schema.
    await using other = await PostgresStore.connect(process.env.DATABASE_URL!, {
      schema: "easy_oauth",
    });
    try {
      await using tester = await AppTester.start(replica, mock);
      const ann = await tester.client("readme-replica@example.com");
      await ann.get("/read", {}, { expect: 403 });
      await other.capabilities.update("readme-replica@example.com", () => ["write"]);
      const start = Date.now();
      while ((await ann.get("/read", {}, { expect: null })).status !== 200) {
        assert.ok(Date.now() - start < 5000, "the other replica's grant never arrived");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal((await ann.get("/read")).text, "readme-replica@example.com reads");
    } finally {
      await other.capabilities.update("readme-replica@example.com", () => undefined);
      await replica.close();
    }
  });
});
