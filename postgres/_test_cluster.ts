// A PostgreSQL cluster of a test's own (not published), for the test that
// stops the database mid-way without disturbing the other tests' database.
// EASY_OAUTH_PG_BIN names the server's binaries (.ci/postgres.sh sets it).
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The binaries, when known. */
export const PG_BIN: string | undefined = process.env.EASY_OAUTH_PG_BIN || undefined;

/** A throwaway cluster: its URL, and stop/start of its server. */
export interface Cluster extends AsyncDisposable {
  url: string;
  stop(): void;
  start(): void;
}

const root = typeof process.getuid === "function" && process.getuid() === 0;

function run(command: string, ...args: string[]): void {
  const [cmd, argv] = root
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, args];
  const done = spawnSync(cmd, argv, { encoding: "utf8" });
  if (done.status !== 0) throw new Error(`${command} failed: ${done.stderr}${done.stdout}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Initializes and starts a cluster on a free loopback port (`bin`: the server's binaries). */
export async function startCluster(bin: string | undefined = PG_BIN): Promise<Cluster> {
  if (bin === undefined) throw new Error("no PostgreSQL binaries (EASY_OAUTH_PG_BIN)");
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-pg-test-"));
  if (root) spawnSync("chown", ["postgres", dir]);
  const port = await freePort();
  const data = join(dir, "data");
  run(`${bin}/initdb`, "-D", data, "-U", "postgres", "--auth=trust", "--no-locale");
  const opts = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  const start = () =>
    run(`${bin}/pg_ctl`, "-D", data, "-l", join(dir, "log"), "-w", "-o", opts, "start");
  const stop = () => run(`${bin}/pg_ctl`, "-D", data, "-m", "fast", "-w", "stop");
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async [Symbol.asyncDispose]() {
      try {
        stop();
      } catch {
        // already stopped
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
