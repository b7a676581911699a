// The checks of the `capabilities` section: the graph, the lists that name
// capabilities, the overrides and the user file.
import { resolve } from "node:path";
import type { CapabilitySetOptions } from "../capabilities/options.ts";
import { ADMIN, graphProblems, unknownCapability } from "../capabilities/graph.ts";
import { emailProblem } from "../_email.ts";
import {
  checkBoolean,
  checkString,
  checkStringList,
  type ConfigPath,
  describe,
  isMapping,
  type Problems,
  readSection,
} from "./_checks.ts";
import { type Entry, field } from "./_entry.ts";

const CAPABILITY_FIELDS = {
  graph: "graph",
  autoAdmin: "auto_admin",
  userFile: "user_file",
  userOverrides: "user_overrides",
  defaultCapabilities: "default_capabilities",
  guestCapabilities: "guest_capabilities",
} as const;

/** Where relative paths (`user_file`) start. */
export interface ValidateContext {
  readonly baseDir: string;
}

export function readCapabilities(
  entry: Entry | undefined,
  context: ValidateContext,
  problems: Problems,
): CapabilitySetOptions | undefined {
  if (!entry) return { graph: {} };
  if (!isMapping(entry.value)) {
    problems.add(entry.path, `must be a mapping, not ${describe(entry.value)}`);
    return undefined;
  }
  const before = problems.list.length;
  const section = readSection(entry.value, CAPABILITY_FIELDS, entry.path, problems);
  const get = (name: string) => field(section, name, entry.path);
  const autoAdminEntry = get("autoAdmin");
  const autoAdmin = autoAdminEntry
    ? checkBoolean(autoAdminEntry.value, autoAdminEntry.path, problems)
    : undefined;
  const graphEntry = get("graph") ?? { value: {}, path: [...entry.path, "graph"] };
  // CapabilitySet's default: an admin capability unless auto_admin is false.
  for (const { path, message } of graphProblems(graphEntry.value, autoAdmin ?? true)) {
    problems.add([...graphEntry.path, ...path], message);
  }
  const graph = graphEntry.value as Record<string, string[]>;
  const names = new Set(isMapping(graph) ? Object.keys(graph) : []);
  if (autoAdmin ?? true) names.add(ADMIN);
  const options: Record<string, unknown> = { graph };
  if (autoAdmin !== undefined) options.autoAdmin = autoAdmin;
  for (const name of ["defaultCapabilities", "guestCapabilities"]) {
    const list = get(name);
    if (!list) continue;
    options[name] = readNames(list.value, list.path, names, problems);
  }
  const userFile = get("userFile");
  if (userFile) {
    const file = checkString(userFile.value, userFile.path, problems);
    if (typeof file === "string") options.userFile = resolve(context.baseDir, file);
  }
  const overrides = get("userOverrides");
  if (overrides) options.userOverrides = readOverrides(overrides, names, problems);
  return problems.list.length === before ? options as unknown as CapabilitySetOptions : undefined;
}

function readNames(
  value: unknown,
  path: ConfigPath,
  names: ReadonlySet<string>,
  problems: Problems,
): string[] | undefined {
  const list = checkStringList(value, path, problems, "a list of capability names");
  for (const name of list ?? []) {
    if (!names.has(name)) problems.add(path, unknownCapability(name, names));
  }
  return list;
}

function readOverrides(
  entry: Entry,
  names: ReadonlySet<string>,
  problems: Problems,
): Record<string, string[]> | undefined {
  if (!isMapping(entry.value)) {
    problems.add(
      entry.path,
      `must be a mapping of emails to capability lists, not ${describe(entry.value)}`,
    );
    return undefined;
  }
  const overrides: Record<string, string[]> = {};
  for (const [email, list] of Object.entries(entry.value)) {
    const path = [...entry.path, email];
    const problem = emailProblem(email);
    if (problem) problems.add(path, `is not a valid email: it ${problem}`);
    const caps = readNames(list, path, names, problems);
    if (caps) overrides[email] = caps;
  }
  return overrides;
}
