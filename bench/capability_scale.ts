// Figure 4: how the capability system scales with the graph and with the
// number of users in the capability file.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CapabilitySet, MemoryCapabilityStore } from "../mod.ts";
import { compare, type CompareOptions, medianMs } from "./_measure.ts";
import { GRAPH, startWorld, usersYaml, userToken } from "./_world.ts";

/** The figures of the capability benchmark. */
export interface ScaleResult {
  /** µs per `check` on 10 capabilities (a chain 10 deep). */
  check10Us: number;
  /** µs per `check` on 1,000 capabilities (chains 50 deep). */
  check1000Us: number;
  /** `check` on 1,000 capabilities over `check` on 10. */
  graphRatio: number;
  /** Users in the large capability file. */
  users: number;
  /** Median ms to load the large file (a new `CapabilitySet` and its first `check`). */
  loadMs: number;
  /** µs per `check` with a 10-user file. */
  checkSmallFileUs: number;
  /** µs per `check` with the large file. */
  checkLargeFileUs: number;
  /** `check` with the large file over `check` with the 10-user file. */
  usersRatio: number;
  /** Median ms of one `POST /manage_capabilities/add` on the large file (atomic write, fsync). */
  addMs: number;
  /** `add` requests timed (fewer than asked when they are slow). */
  addRuns: number;
}

/** Sizes of the run. */
export interface ScaleOptions extends CompareOptions {
  /** Users in the large file. */
  users: number;
  /** `add` requests timed, at most. */
  adds: number;
  /** Time after which no more `add` requests are timed (3 at least), in ms. */
  addBudgetMs: number;
  /** Loads of the large file timed. */
  loads: number;
}

/** `depth`-deep chains of capabilities (`c0_0` implies `c0_1` …), `count` in all. */
function chains(count: number, depth: number): Record<string, string[]> {
  const graph: Record<string, string[]> = {};
  for (let i = 0; i < count; i++) {
    const chain = Math.floor(i / depth);
    const step = i % depth;
    graph[`c${chain}_${step}`] = step + 1 < depth ? [`c${chain}_${step + 1}`] : [];
  }
  return graph;
}

/** A check that must answer true, as a timed case. */
function checking(set: CapabilitySet, email: string, capability: string) {
  return async () => {
    if (!(await set.check(email, capability))) throw new Error(`${email} lacks ${capability}`);
  };
}

async function graphFigures(options: CompareOptions) {
  const store = () => new MemoryCapabilityStore({ "ann@example.com": ["c0_0"] });
  const small = new CapabilitySet({ graph: chains(10, 10), store: store() });
  const large = new CapabilitySet({ graph: chains(1000, 50), store: store() });
  const timings = await compare([
    { name: "10", run: checking(small, "ann@example.com", "c0_9") },
    { name: "1000", run: checking(large, "ann@example.com", "c0_49") },
  ], options);
  const [ten, thousand] = [timings.get("10")!, timings.get("1000")!];
  return { check10Us: ten.us, check1000Us: thousand.us, graphRatio: thousand.ratio };
}

async function userFigures(options: ScaleOptions, dir: string) {
  const smallFile = join(dir, "small.yaml");
  const largeFile = join(dir, "large.yaml");
  await writeFile(smallFile, usersYaml(7));
  await writeFile(largeFile, usersYaml(options.users));
  const load = (userFile: string) =>
    new CapabilitySet({ graph: GRAPH, userFile, guestCapabilities: ["browse"] });
  const { ms: loadMs } = await medianMs(options.loads, async () => {
    await checking(load(largeFile), "ann@example.com", "read")();
  });
  const small = load(smallFile);
  const large = load(largeFile);
  const last = `user${options.users - 1}@example.com`;
  const timings = await compare([
    { name: "small", run: checking(small, "user6@example.com", "read") },
    { name: "large", run: checking(large, last, "read") },
  ], options);
  const [few, many] = [timings.get("small")!, timings.get("large")!];
  return { loadMs, checkSmallFileUs: few.us, checkLargeFileUs: many.us, usersRatio: many.ratio };
}

/** One account added per request, through the route, by an admin with a bearer token. */
async function addFigure(options: ScaleOptions): Promise<{ ms: number; runs: number }> {
  await using world = await startWorld({ extraUsers: options.users });
  const admin = await userToken(world, "root@example.com");
  return await medianMs(options.adds, async (i) => {
    const res = await world.app.request("http://localhost/manage_capabilities/add", {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ email: `user${i}@example.com`, capability: "write" }),
    });
    if (res.status !== 200) throw new Error(`add answered ${res.status}: ${await res.text()}`);
  }, options.addBudgetMs);
}

/** Runs figure 4. */
export async function capabilityScale(options: ScaleOptions): Promise<ScaleResult> {
  const dir = await mkdtemp(join(tmpdir(), "easy-oauth-bench-caps-"));
  try {
    const graph = await graphFigures(options);
    const users = await userFigures(options, dir);
    const add = await addFigure(options);
    return { ...graph, users: options.users, ...users, addMs: add.ms, addRuns: add.runs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
