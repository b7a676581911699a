// Small checks shared by the configuration validator: each one records a
// problem (path + sentence) instead of throwing, so that a file's problems can
// all be reported at once.
import { didYouMean } from "../capabilities/suggest.ts";

/** Where a value sits, outermost key first. */
export type ConfigPath = readonly (string | number)[];

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  readonly path: ConfigPath;
  readonly problem: string;
}

/** Stands for an encrypted value that could not be opened (no password): it is not checked. */
export const UNCHECKED: unique symbol = Symbol("unchecked secret");

/** Collects problems in the order they are found. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  add(path: ConfigPath, problem: string): void {
    this.list.push({ path, problem });
  }
}

/** `a string`, `a list`, `a mapping`, `null`… for "must be X, not Y". */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number" || typeof value === "bigint") return "a number";
  return `a ${typeof value}`;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value if it is a string (or unchecked), else records a problem. */
export function checkString(
  value: unknown,
  path: ConfigPath,
  problems: Problems,
): string | typeof UNCHECKED | undefined {
  if (typeof value === "string" || value === UNCHECKED) return value;
  problems.add(path, `must be a string, not ${describe(value)}`);
  return undefined;
}

export function checkBoolean(value: unknown, path: ConfigPath, problems: Problems) {
  if (typeof value === "boolean") return value;
  problems.add(path, `must be true or false, not ${describe(value)}`);
  return undefined;
}

/** A list of strings; `what` names an element in the message ("a list of capability names"). */
export function checkStringList(
  value: unknown,
  path: ConfigPath,
  problems: Problems,
  what = "a list of strings",
): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, `must be ${what}, not ${describe(value)}`);
    return undefined;
  }
  const before = problems.list.length;
  value.forEach((item, i) => {
    if (typeof item !== "string") {
      problems.add([...path, i], `must be a string, not ${describe(item)}`);
    }
  });
  return problems.list.length === before ? value as string[] : undefined;
}

/** An absolute http: or https: URL. */
export function checkHttpUrl(
  value: unknown,
  path: ConfigPath,
  problems: Problems,
): string | undefined {
  const text = checkString(value, path, problems);
  if (typeof text !== "string") return undefined;
  if (URL.canParse(text) && /^https?:$/.test(new URL(text).protocol)) return text;
  problems.add(path, `must be an http: or https: URL, not ${JSON.stringify(text)}`);
  return undefined;
}

/** Each name must be one of `names`, with a suggestion for typos. */
export function checkNames(
  list: readonly string[],
  names: ReadonlySet<string>,
  path: ConfigPath,
  problems: Problems,
): void {
  for (const name of list) {
    if (!names.has(name)) {
      problems.add(path, `${JSON.stringify(name)} is not a capability${didYouMean(name, names)}`);
    }
  }
}

/**
 * Reads a mapping whose keys may be written snake_case (as in the Python
 * package's files) or camelCase. `fields` maps each camelCase name to its
 * snake_case spelling. Returns the values by camelCase name with the key as
 * written (for paths); unknown keys and a key given in both spellings are
 * problems.
 */
export function readSection(
  section: Record<string, unknown>,
  fields: Readonly<Record<string, string>>,
  path: ConfigPath,
  problems: Problems,
): Map<string, { key: string; value: unknown }> {
  const bySpelling = new Map<string, string>();
  for (const [camel, snake] of Object.entries(fields)) {
    bySpelling.set(camel, camel).set(snake, camel);
  }
  const found = new Map<string, { key: string; value: unknown }>();
  for (const [key, value] of Object.entries(section)) {
    const name = bySpelling.get(key);
    if (name === undefined) {
      const suggestion = didYouMean(
        key,
        /[A-Z]/.test(key) ? Object.keys(fields) : Object.values(fields),
      );
      problems.add([...path, key], `unknown key${suggestion}`);
      continue;
    }
    const previous = found.get(name);
    if (previous) {
      problems.add([...path, key], `is given twice, also as ${JSON.stringify(previous.key)}`);
      continue;
    }
    found.set(name, { key, value });
  }
  return found;
}
