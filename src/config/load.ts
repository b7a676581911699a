// The configuration pipeline shared by `loadConfig` and the `check` command:
// read → parse → open secrets → validate, keeping every problem.
import { dirname, resolve } from "node:path";
import type { OAuthManagerOptions } from "../options.ts";
import { ConfigError } from "../errors.ts";
import { type ConfigPath, type ConfigProblem, Problems } from "./_checks.ts";
import { openSecrets } from "./_secrets.ts";
import { validateConfig } from "./_validate.ts";
import { filePath, readConfigText } from "./read.ts";
import { parseYaml } from "../_yaml.ts";

/** Where a configuration comes from. */
export type ConfigSource = string | URL | Readonly<Record<string, unknown>>;

/** How to analyze it. */
export interface AnalyzeOptions {
  readonly password?: string | undefined;
  readonly baseDir?: string | undefined;
  /** Without a password, leave encrypted values unchecked instead of failing. */
  readonly allowMissingPassword?: boolean | undefined;
}

/** What the analysis found. */
export interface ConfigAnalysis {
  /** The file, when the configuration came from one. */
  readonly file: string | undefined;
  /** The options, when there was no problem. */
  readonly options: OAuthManagerOptions | undefined;
  readonly problems: readonly ConfigProblem[];
  /** Where the encrypted values are. */
  readonly encrypted: readonly ConfigPath[];
}

function checkOptions(options: AnalyzeOptions): void {
  if (options.password !== undefined && typeof options.password !== "string") {
    throw new TypeError('"password" must be a string');
  }
  if (options.baseDir !== undefined && typeof options.baseDir !== "string") {
    throw new TypeError('"baseDir" must be a string');
  }
}

/**
 * Reads and validates a configuration, collecting every problem.
 *
 * @throws {ConfigError} When the file cannot be read or is not valid YAML.
 * @throws {TypeError} When `source` or an option has the wrong type.
 */
export async function analyzeConfig(
  source: ConfigSource,
  options: AnalyzeOptions = {},
): Promise<ConfigAnalysis> {
  checkOptions(options);
  let raw: unknown;
  let file: string | undefined;
  let baseDir = options.baseDir;
  if (typeof source === "string" || source instanceof URL) {
    file = filePath(source);
    raw = parseYaml(await readConfigText(file), file);
    baseDir ??= dirname(resolve(file));
  } else if (typeof source === "object" && source !== null && !Array.isArray(source)) {
    raw = source;
  } else {
    throw new TypeError('"source" must be a path, a file: URL or a configuration object');
  }
  const problems = new Problems();
  const opened = await openSecrets(
    raw,
    options.password,
    problems,
    options.allowMissingPassword,
  );
  const context = { baseDir: resolve(baseDir ?? ".") };
  const result = validateConfig(opened.value, context, problems);
  return {
    file,
    options: problems.list.length === 0 ? result : undefined,
    problems: inDocumentOrder(problems.list, raw),
    encrypted: opened.encrypted,
  };
}

/** One `ConfigError` for all the problems: the first's path, every problem in the message. */
export function problemsError(problems: readonly ConfigProblem[], file?: string): ConfigError {
  const errors = problems.map((p) => new ConfigError(p.problem, { path: p.path, file }));
  const first = errors[0]!; // never called without problems
  first.message = errors.map((e) => e.message).join("\n");
  return first;
}

/** Where a path's keys sit in their mappings (absent keys last), to sort problems as they appear. */
function rank(path: ConfigPath, root: unknown): number[] {
  const ranks: number[] = [];
  let node = root;
  for (const key of path) {
    const keys = typeof node === "object" && node !== null ? Object.keys(node) : [];
    const index = Array.isArray(node) ? Number(key) : keys.indexOf(String(key));
    ranks.push(index === -1 ? Infinity : index);
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  return ranks;
}

/** The problems in the order of the keys in the file (a stable sort). */
function inDocumentOrder(problems: readonly ConfigProblem[], raw: unknown): ConfigProblem[] {
  const ranked = problems.map((problem) => ({ problem, rank: rank(problem.path, raw) }));
  ranked.sort((a, b) => {
    for (let i = 0; i < Math.min(a.rank.length, b.rank.length); i++) {
      if (a.rank[i] !== b.rank[i]) return a.rank[i]! - b.rank[i]!;
    }
    return a.rank.length - b.rank.length;
  });
  return ranked.map(({ problem }) => problem);
}
