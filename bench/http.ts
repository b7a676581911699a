// Figure 3: requests per second of the bare and the protected route on the
// runtime's own server (`Deno.serve`, `Bun.serve`), loaded over loopback by a
// load generator in another process. Deno only (it starts processes).
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The bench is a Deno project of its own (bench/deno.json): its dependencies
// are installed in bench/node_modules, away from the module's.
const BENCH = fileURLToPath(new URL(".", import.meta.url));
const SERVER = join(BENCH, "_server.ts");
const AUTOCANNON = join(BENCH, "node_modules", "autocannon", "autocannon.js");

/** A load generator: sends requests for `seconds` and tells how many per second were answered. */
export interface LoadTool {
  /** `wrk 4.1.0` or `autocannon 9.0.0 (node v20)`. */
  name: string;
  run(url: string, headers: Record<string, string>, load: Load): Promise<number>;
}

/** How hard and how long to load the server, per measurement. */
export interface Load {
  connections: number;
  seconds: number;
}

/** The figures of one runtime. */
export interface HttpResult {
  runtime: string;
  /** Best requests/s of the bare route over the rounds. */
  bareRps: number;
  /** Best requests/s of an empty middleware of the same shape (`/floor`). */
  floorRps: number;
  /** Best requests/s of the protected route (cached bearer token). */
  protectedRps: number;
  /** `protectedRps / bareRps`. */
  ratio: number;
  /** `floorRps / bareRps`: what any such middleware costs on this server. */
  floorRatio: number;
}

async function output(command: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  } catch {
    return undefined; // not installed
  }
}

/** Whether `bun` is on the PATH (then the figures are taken on `Bun.serve` too). */
export async function bunVersion(): Promise<string | undefined> {
  return (await output("bun", ["--version"]))?.trim();
}

function wrk(version: string): LoadTool {
  return {
    name: version,
    async run(url, headers, load) {
      const args = ["-t1", `-c${load.connections}`, `-d${load.seconds}s`];
      for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
      const text = (await output("wrk", [...args, url])) ?? "";
      const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
      if (!rate || /Non-2xx/.test(text)) throw new Error(`wrk failed on ${url}:\n${text}`);
      return Number(rate[1]);
    },
  };
}

function autocannon(command: string, prefix: string[], version: string): LoadTool {
  return {
    name: version,
    async run(url, headers, load) {
      const args = [...prefix, AUTOCANNON, "-j", "-c", `${load.connections}`];
      args.push("-d", `${load.seconds}`);
      for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}=${value}`);
      const text = (await output(command, [...args, url])) ?? "";
      const start = text.indexOf("{");
      const json = start === -1
        ? undefined
        : JSON.parse(text.slice(start, text.lastIndexOf("}") + 1));
      if (!json || json.non2xx > 0 || json.errors > 0) {
        throw new Error(`autocannon failed on ${url}:\n${text.slice(0, 2000)}`);
      }
      return json.requests.average as number;
    },
  };
}

/**
 * The load generator: `wrk` when it is on the PATH (C, so it leaves the most
 * CPU to the server on a small machine), else `autocannon` from `npm` (in
 * node_modules after `deno install`) run by Node, else by Deno.
 *
 * @throws {Error} When there is none.
 */
export async function findLoadTool(options: { wrk?: boolean } = {}): Promise<LoadTool> {
  const wrkVersion = options.wrk === false
    ? undefined
    : (await output("wrk", ["--version"]))?.match(/wrk \S+/)?.[0];
  if (wrkVersion) return wrk(wrkVersion);
  if (options.wrk !== false && (await installWrk())) return await findLoadTool(options);
  const cannon = await Deno.readTextFile(join(BENCH, "node_modules", "autocannon", "package.json"))
    .then((text) => `autocannon ${JSON.parse(text).version}`, () => undefined);
  if (!cannon) {
    throw new Error("no load generator: install wrk, or run `deno install` for autocannon");
  }
  const node = (await output("node", ["--version"]))?.trim();
  if (node) return autocannon("node", [], `${cannon} (node ${node})`);
  return autocannon(Deno.execPath(), ["run", "-A"], `${cannon} (deno)`);
}

/**
 * Installs wrk with apt-get where the bench runs as root on Debian or Ubuntu
 * (autocannon, in Node, cannot load a server that has the other core of a
 * 2-core machine to itself: it becomes the bottleneck and hides the ratio).
 */
async function installWrk(): Promise<boolean> {
  if (Deno.uid() !== 0 || (await output("apt-get", ["--version"])) === undefined) return false;
  console.error("bench: installing wrk with apt-get…");
  const install = () => output("apt-get", ["install", "-y", "-qq", "wrk"]);
  if ((await install())?.includes("Unable to locate")) {
    await output("apt-get", ["update", "-qq"]);
    await install();
  }
  return (await output("wrk", ["--version"])) !== undefined;
}

/** Starts `bench/_server.ts` on `runtime`; it answers with its URL and a bearer token. */
async function startServer(runtime: "deno" | "bun") {
  const [command, args] = runtime === "deno"
    ? [Deno.execPath(), ["run", "-A", SERVER]]
    : ["bun", [SERVER]];
  const child = new Deno.Command(command, {
    args,
    cwd: BENCH,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the ${runtime} server stopped before it was ready`);
    text += value;
  }
  const ready = JSON.parse(text.slice(0, text.indexOf("\n"))) as { url: string; token: string };
  return {
    ...ready,
    async stop() {
      await child.stdin.close();
      await reader.cancel();
      await child.status;
    },
  };
}

/**
 * Loads `/bare`, `/floor` and `/read` in turn, `rounds` times, with the same
 * request (the bearer token in each), and keeps each route's best round: other
 * work on the machine only ever lowers a round, so the best is the server's.
 */
export async function httpThroughput(
  runtime: "deno" | "bun",
  tool: LoadTool,
  options: Load & { rounds: number },
): Promise<HttpResult> {
  const server = await startServer(runtime);
  try {
    const headers = { authorization: `Bearer ${server.token}` };
    const routes = ["/bare", "/floor", "/read"];
    const best = new Map(routes.map((route) => [route, 0]));
    for (const route of routes) {
      await tool.run(server.url + route, headers, { ...options, seconds: 1 });
    }
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < routes.length; k++) {
        const route = routes[(k + round) % routes.length];
        const rps = await tool.run(server.url + route, headers, options);
        best.set(route, Math.max(best.get(route)!, rps));
      }
    }
    const [bareRps, floorRps, protectedRps] = routes.map((route) => best.get(route)!);
    return {
      runtime,
      bareRps,
      floorRps,
      protectedRps,
      ratio: protectedRps / bareRps,
      floorRatio: floorRps / bareRps,
    };
  } finally {
    await server.stop();
  }
}
