// For the multi-process tests (not published): starts replicas of
// `_replica_app.ts` as separate processes (Deno and Bun) on shared state, and
// the HTTP steps the tests take against them.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { TestBrowser } from "./mod.ts";

const APP = fileURLToPath(new URL("./_replica_app.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** How to run a replica. */
export type Runtime = "deno" | "bun";

/** Running replicas; `close()` ends them. */
export interface Replicas extends AsyncDisposable {
  urls: string[];
  /** What each replica wrote to stderr (its `log`). */
  logs: string[][];
  /** `error` with what the replicas logged, to tell why a step failed. */
  explain(error: unknown): Error;
  /** Kills replica `index` with SIGKILL (no clean-up of any kind), resolving once it is gone. */
  kill(index: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts one replica per runtime with `env`, and waits until each serves. */
export async function startReplicas(
  runtimes: readonly Runtime[],
  env: Record<string, string>,
): Promise<Replicas> {
  const children: ChildProcess[] = [];
  const logs: string[][] = [];
  runtimes = runtimes.map(available);
  const close = async () => {
    await Promise.all(children.map((child) => ended(child)));
  };
  try {
    const urls = await Promise.all(runtimes.map((runtime, i) => {
      logs.push([]);
      const args = runtime === "deno" ? ["run", "-A", "--quiet", APP] : ["run", APP];
      const child = spawn(runtime, args, {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      children.push(child);
      return ready(child, logs[i]);
    }));
    const explain = (error: unknown) =>
      new Error(`${error}\nreplicas said:\n${logs.map((l) => l.join("")).join("---\n")}`);
    const kill = (index: number) =>
      new Promise<void>((resolve) => {
        const child = children[index];
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.on("exit", () => resolve());
        child.kill("SIGKILL");
      });
    return { urls, logs, explain, kill, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `runtime`, or Deno when Bun is not installed outside CI: a newcomer's
 * `npx -y deno@2 task test` has no Bun, and the processes still test the
 * sharing. CI has both, and there a missing runtime fails the test.
 */
function available(runtime: Runtime): Runtime {
  if (runtime === "deno" || process.env.CI) return runtime;
  if (!spawnSync(runtime, ["--version"], { stdio: "ignore" }).error) return runtime;
  console.warn(`!! ${runtime} is not on the PATH: that replica runs under Deno instead`);
  return "deno";
}

function ready(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`no READY after 30 s:\n${log.join("")}`)),
      30_000,
    );
    child.stderr!.on("data", (chunk) => log.push(String(chunk)));
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const url = /READY (\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      log.push(`[replica exited: ${code ?? signal}]\n`);
      reject(new Error(`replica exited with ${code ?? signal}:\n${log.join("")}`));
    });
  });
}

/** Closes the replica's stdin (it exits cleanly), killing it if it lingers. */
function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end();
  });
}

/** A bearer token for `email`, logged in through the replica at `url`. */
export async function login(url: string, email: string): Promise<string> {
  const res = await new TestBrowser(url).get("/token", { login_hint: email });
  return res.json<{ refresh_token: string }>().refresh_token;
}

/** Sends a request with a bearer token (or a cookie); the status and the JSON or text. */
export async function call(
  url: string,
  path: string,
  auth: { token?: string; cookie?: string },
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(new URL(path, url), {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text it is
  }
  return { status: res.status, body: parsed };
}

/** Waits until `check()` is true (polling every 10 ms), failing after `ms`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 5000,
): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`${what}: still not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}
