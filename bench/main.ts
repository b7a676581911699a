/**
 * The benchmarks, in one go: `deno task bench` (`-- --autocannon` to load
 * the server with autocannon even where wrk is installed). Prints one table
 * (Markdown) and writes `bench/results.json`. Every figure is a ratio or a time measured
 * side by side in the same run; the README's "Performance" section explains each.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { capabilityScale } from "./capability_scale.ts";
import {
  httpSection,
  inProcessSections,
  peerSection,
  replicasSection,
  scaleSection,
  testerSection,
} from "./_figures.ts";
import { withDatabase } from "./_database.ts";
import { replicas, type ReplicasResult } from "./replicas.ts";
import { postgresLog, type PostgresLogResult, postgresLogSection } from "./postgres_log.ts";
import { betterAuthPeer, type PeerResult } from "./better_auth.ts";
import { bunVersion, findLoadTool, type HttpResult, httpThroughput } from "./http.ts";
import { inProcess } from "./in_process.ts";
import { missed, type Section, table } from "./_report.ts";
import { testerClients } from "./tester_clients.ts";
import { storage } from "./storage.ts";
import { storageSection } from "./_storage_figures.ts";

const BENCH = fileURLToPath(new URL(".", import.meta.url));

/** The sizes of a full run (about two minutes on 2 cores). */
const SETTINGS = {
  inProcess: { rounds: 60, batch: 500, warmup: 3000, cold: 100 },
  http: { connections: 32, seconds: 2, rounds: 5 },
  scale: {
    rounds: 30,
    batch: 5000,
    warmup: 20000,
    users: 10_000,
    adds: 20,
    addBudgetMs: 20_000,
    loads: 3,
  },
  tester: { clients: 100, runs: 3 },
  peers: { rounds: 30, batch: 200, warmup: 500 },
  storage: {
    sizes: [1_000, 10_000, 100_000],
    writes: 200,
    catchUps: 50,
    loginSeconds: 10,
    loginConcurrency: 8,
    propagations: 100,
  },
  replicas: {
    rounds: 40,
    batch: 500,
    warmup: 3000,
    revocations: 200,
    writeSeconds: 3,
    pollMs: 100,
  },
  postgresLog: { sizes: [1_000, 10_000, 100_000], ops: 100 },
};

function step(message: string): void {
  console.error(`bench: ${message}`);
}

async function packageVersion(name: string): Promise<string | undefined> {
  try {
    const text = await Deno.readTextFile(join(BENCH, "node_modules", name, "package.json"));
    return JSON.parse(text).version;
  } catch {
    return undefined;
  }
}

async function machine() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    cores: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.build.arch}`,
  };
}

async function run() {
  const started = performance.now();
  const bun = await bunVersion();
  const tool = await findLoadTool({ wrk: !Deno.args.includes("--autocannon") });
  step(`in process (app.request), ${SETTINGS.inProcess.rounds} rounds…`);
  const inProc = await inProcess(SETTINGS.inProcess);
  const http: HttpResult[] = [];
  for (const runtime of bun ? ["deno", "bun"] as const : ["deno"] as const) {
    step(`HTTP on ${runtime} with ${tool.name}…`);
    http.push(await httpThroughput(runtime, tool, SETTINGS.http));
  }
  if (!bun) step("bun is not on the PATH: no Bun.serve figures");
  step("capabilities at scale…");
  const scale = await capabilityScale(SETTINGS.scale);
  step("test helpers…");
  const tester = await testerClients(SETTINGS.tester.clients, SETTINGS.tester.runs);
  step("several replicas (PostgreSQL, files)…");
  const shared: ReplicasResult | { skipped: string } = await withDatabase(
    (url) => replicas(url, SETTINGS.replicas),
  );
  step("PostgreSQL at 1k, 10k and 100k records…");
  const pgLog: PostgresLogResult | { skipped: string } = await withDatabase(
    (url) => postgresLog(url, SETTINGS.postgresLog),
  );
  step("better-auth beside our session check…");
  const peers: PeerResult | { skipped: string } = await withDatabase(
    (url) => betterAuthPeer(url, SETTINGS.peers),
  );
  step("the token store (SQLite) at 1k, 10k and 100k records…");
  const stored = await storage(SETTINGS.storage);
  const sections: Section[] = [
    ...inProcessSections(inProc),
    httpSection(http, tool.name),
    scaleSection(scale),
    testerSection(tester),
    replicasSection(shared, SETTINGS.replicas.pollMs),
    peerSection(peers),
    storageSection(stored),
    postgresLogSection(pgLog),
  ];
  const raw = {
    inProcess: inProc,
    http,
    scale,
    tester,
    replicas: shared,
    postgresLog: pgLog,
    peers,
    storage: stored,
  };
  return { sections, raw, bun, tool, started };
}

const result = await run();
const environment = {
  machine: await machine(),
  runtimes: { ...Deno.version, bun: result.bun ?? null },
  packages: Object.fromEntries(
    await Promise.all(
      ["hono", "@hono/oidc-auth", "jose", "oauth4webapi", "yaml", "postgres", "better-auth", "pg"]
        .map(async (
          name,
        ) => [name, await packageVersion(name)]),
    ),
  ),
  loadGenerator: result.tool.name,
};
const seconds = (performance.now() - result.started) / 1000;
console.log(table(result.sections));
const misses = missed(result.sections);
console.log(
  `\n${misses.length} target(s) missed; ${environment.machine.cpu}, ` +
    `${environment.machine.cores} cores; deno ${Deno.version.deno}` +
    `${result.bun ? `, bun ${result.bun}` : ""}; ${seconds.toFixed(0)} s.`,
);
const json = {
  date: new Date().toISOString(),
  command: "deno task bench",
  seconds: Math.round(seconds),
  ...environment,
  settings: SETTINGS,
  figures: result.sections.flatMap((s) => s.figures),
  raw: result.raw,
};
await Deno.writeTextFile(join(BENCH, "results.json"), JSON.stringify(json, null, 2) + "\n");
step("wrote bench/results.json");
