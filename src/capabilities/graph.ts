// The capability graph: validation (shared with the configuration-file loader,
// which reports the problems with their paths) and the transitive closures.
import { quoteForMessage } from "../_email.ts";
import { didYouMean } from "./suggest.ts";

/** The capability that `autoAdmin` creates and that implies every other one. */
export const ADMIN = "admin";
/** At most this long, so that names stay readable in files, logs and tokens. */
export const MAX_CAPABILITY_NAME_LENGTH = 64;
const CAPABILITY_NAME = /^[A-Za-z0-9_.:-]+$/;

/** One problem of a graph: where (keys relative to the graph) and what. */
export interface GraphProblem {
  /** The offending key (`["write"]`), or `["write", "0"]` for one item. */
  path: string[];
  /** What is wrong, e.g. `"reed" is not a capability (did you mean "read"?)`. */
  message: string;
}

/** Why `name` cannot be a capability name, or `null`. */
export function capabilityNameProblem(name: unknown): string | null {
  if (typeof name !== "string") return `${quoteForMessage(name)} is not a capability name`;
  if (name.length > 0 && name.length <= MAX_CAPABILITY_NAME_LENGTH && CAPABILITY_NAME.test(name)) {
    return null;
  }
  return `${quoteForMessage(name)} is not a valid capability name ` +
    `(letters, digits, "_", ".", ":" and "-", 1 to ${MAX_CAPABILITY_NAME_LENGTH} characters)`;
}

/** `"reed" is not a capability (did you mean "read"?)`. */
export function unknownCapability(name: string, known: Iterable<string>): string {
  // Edit distances cost length², so no suggestion for what cannot be a name.
  const hint = name.length <= MAX_CAPABILITY_NAME_LENGTH ? didYouMean(name, known) : "";
  return `${quoteForMessage(name)} is not a capability${hint}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Every problem of a capability graph, in key order: not a mapping, bad names,
 * a reserved `admin`, lists that are not lists, edges to undefined
 * capabilities, implication cycles. An empty list means the graph is valid.
 */
export function graphProblems(graph: unknown, autoAdmin: boolean): GraphProblem[] {
  if (!isRecord(graph)) {
    return [{ path: [], message: "must be a mapping of capability names to implied capabilities" }];
  }
  const entries = Object.entries(graph);
  const names = new Set(entries.map(([name]) => name));
  const problems: GraphProblem[] = [];
  const edges = new Map<string, string[]>();
  for (const [name, implies] of entries) {
    const nameProblem = capabilityNameProblem(name);
    if (nameProblem) problems.push({ path: [name], message: nameProblem });
    if (autoAdmin && name === ADMIN) {
      problems.push({
        path: [name],
        message: `"${ADMIN}" is created automatically and implies every capability ` +
          "(set autoAdmin to false to define it yourself)",
      });
    }
    if (!Array.isArray(implies)) {
      problems.push({ path: [name], message: "must be a list of capability names" });
      continue;
    }
    const valid: string[] = [];
    implies.forEach((target: unknown, index) => {
      const problem = edgeProblem(target, names, autoAdmin);
      if (problem === null) {
        valid.push(target as string);
        return;
      }
      const path = problem.item ? [name, `${index}`] : [name];
      problems.push({ path, message: problem.message });
    });
    edges.set(name, valid);
  }
  problems.push(...cycleProblems(edges));
  return problems;
}

function edgeProblem(
  target: unknown,
  names: ReadonlySet<string>,
  autoAdmin: boolean,
): { message: string; item: boolean } | null {
  if (typeof target !== "string") {
    return { message: `${quoteForMessage(target)} is not a capability name`, item: true };
  }
  if (names.has(target)) return null;
  if (autoAdmin && target === ADMIN) {
    return { message: `"${ADMIN}" implies every capability, so nothing may imply it`, item: false };
  }
  return { message: unknownCapability(target, names), item: false };
}

/** One problem per implication cycle, found by an iterative depth-first search. */
function cycleProblems(edges: ReadonlyMap<string, readonly string[]>): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const state = new Map<string, "active" | "done">();
  for (const root of edges.keys()) {
    if (state.has(root)) continue;
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, "active");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = edges.get(top.name) ?? [];
      if (top.next >= targets.length) {
        state.set(top.name, "done");
        stack.pop();
        continue;
      }
      const target = targets[top.next++]!;
      if (state.get(target) === "active") {
        const start = stack.findIndex((frame) => frame.name === target);
        const cycle = [...stack.slice(start).map((frame) => frame.name), target];
        problems.push({ path: [target], message: `implication cycle: ${cycle.join(" -> ")}` });
      } else if (!state.has(target)) {
        state.set(target, "active");
        stack.push({ name: target, next: 0 });
      }
    }
  }
  return problems;
}

/**
 * The closure of every capability (itself and everything it implies,
 * transitively), computed once so that a check is a single `Set` lookup
 * however deep the graph. `graph` must be valid (see `graphProblems`).
 */
export function computeClosures(
  graph: ReadonlyMap<string, readonly string[]>,
  autoAdmin: boolean,
): Map<string, ReadonlySet<string>> {
  const closures = new Map<string, Set<string>>();
  for (const root of graph.keys()) {
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (closures.has(top.name)) {
        stack.pop();
        continue;
      }
      const targets = graph.get(top.name) ?? [];
      const pending = targets.slice(top.next).find((target) => !closures.has(target));
      if (pending !== undefined) {
        top.next = targets.indexOf(pending, top.next);
        stack.push({ name: pending, next: 0 });
        continue;
      }
      const closure = new Set([top.name]);
      for (const target of targets) for (const name of closures.get(target)!) closure.add(name);
      closures.set(top.name, closure);
      stack.pop();
    }
  }
  if (autoAdmin) closures.set(ADMIN, new Set([ADMIN, ...graph.keys()]));
  return closures;
}

/**
 * A validated graph and its closures, with the checks of the options that
 * name capabilities. Every method that validates throws a `TypeError` that
 * names the option and the capability.
 */
export class CapabilityGraph {
  /** Every capability, in graph order, `admin` last when `autoAdmin`. */
  readonly names: readonly string[];
  /** Each capability's closure. */
  readonly closures: ReadonlyMap<string, ReadonlySet<string>>;
  /** The graph as given (lists copied). */
  readonly edges: ReadonlyMap<string, readonly string[]>;

  constructor(graph: unknown, readonly autoAdmin: boolean) {
    const problems = graphProblems(graph, autoAdmin);
    if (problems.length > 0) {
      const lines = problems.map(({ path, message }) =>
        `${["graph", ...path].join(".")}: ${message}`
      );
      throw new TypeError(lines.join("; "));
    }
    this.edges = new Map(
      Object.entries(graph as Record<string, string[]>).map((
        [name, implies],
      ) => [name, Object.freeze([...implies])]),
    );
    this.closures = computeClosures(this.edges, autoAdmin);
    this.names = Object.freeze([...this.edges.keys(), ...(autoAdmin ? [ADMIN] : [])]);
  }

  /** Whether `name` is a capability. */
  has(name: string): boolean {
    return this.closures.has(name);
  }

  /** Why `name` is not one of the capabilities (with a suggestion). */
  unknown(name: unknown): string {
    return typeof name === "string"
      ? unknownCapability(name, this.names)
      : `${quoteForMessage(name)} is not a capability`;
  }

  /** Checks the option `option`: a list of known capabilities (`undefined` is `[]`). */
  list(value: unknown, option: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new TypeError(`"${option}" must be a list of capabilities`);
    const bad = value.find((name) => typeof name !== "string" || !this.closures.has(name));
    if (bad !== undefined) throw new TypeError(`${option}: ${this.unknown(bad)}`);
    return value;
  }

  /** The union of the closures of `names`, on top of `base`; unknown names are ignored. */
  closureOf(names: Iterable<string>, base: Iterable<string> = []): ReadonlySet<string> {
    const set = new Set(base);
    for (const name of names) {
      for (const implied of this.closures.get(name) ?? []) set.add(implied);
    }
    return set;
  }
}
