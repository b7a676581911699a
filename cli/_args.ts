// Command-line parsing for every command: node:util's parseArgs in strict
// mode, with its errors turned into one-line usage errors (exit status 2).
import { parseArgs } from "node:util";
import { UsageError } from "./_io.ts";

/** Option definitions as `parseArgs` takes them (string options only, plus --help). */
export type StringOptions = Readonly<Record<string, { type: "string"; short?: string }>>;

/** What a command got. */
export interface ParsedArgs {
  help: boolean;
  positionals: string[];
  values: Record<string, string | undefined>;
}

/**
 * Parses `args`; `count` bounds the number of positionals.
 *
 * @throws {UsageError} On an unknown option, a missing option value, or a wrong count.
 */
export function parseCommandArgs(
  command: string,
  args: string[],
  options: StringOptions,
  count: { min: number; max: number },
): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    // node:util explains at length; the first sentence says what is wrong.
    const message = String((err as Error).message).split("\n")[0]!.replace(/\. .*/, ".");
    throw new UsageError(`${command}: ${message}`);
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  if (help) return { help: true, positionals: [], values: {} };
  const n = parsed.positionals.length;
  if (n < count.min) throw new UsageError(`${command}: missing argument (see --help)`);
  if (n > count.max) {
    throw new UsageError(`${command}: unexpected argument "${parsed.positionals[count.max]}"`);
  }
  return { help: false, positionals: parsed.positionals, values: values as ParsedArgs["values"] };
}
