// Command-line parsing for every command: node:util's parseArgs reads the
// tokens, and this file says what is wrong in its own words (exit status 2;
// main() adds "see `easy-oauth <command> --help`"), never the parser's text.
import { parseArgs } from "node:util";
import { UsageError } from "./_io.ts";

/** Option definitions as `parseArgs` takes them (--help is added). */
export type StringOptions = Readonly<
  Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>
>;

/** What a command got. */
export interface ParsedArgs {
  help: boolean;
  positionals: string[];
  values: Record<string, string | undefined>;
}

/** An argument as typed, quoted for a message (control characters escaped). */
export function quoteArg(arg: string): string {
  return JSON.stringify(arg.length > 80 ? `${arg.slice(0, 80)}…` : arg);
}

/**
 * Parses `args`; `count` bounds the number of positionals.
 *
 * @throws {UsageError} On an unknown option, a missing option value, a value
 * given to --help, or a wrong count.
 */
export function parseCommandArgs(
  command: string,
  args: string[],
  options: StringOptions,
  count: { min: number; max: number },
): ParsedArgs {
  const { tokens } = parseArgs({
    args,
    options: { ...options, help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | undefined> = {};
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const known = token.name === "help" || Object.hasOwn(options, token.name);
    if (!known) throw new UsageError(`${command}: unknown option ${quoteArg(token.rawName)}`);
    if (token.name === "help" || options[token.name]?.type === "boolean") {
      if (token.value !== undefined) {
        throw new UsageError(`${command}: ${token.rawName} takes no value`);
      }
      if (token.name === "help") help = true;
    } else if (token.value === undefined || token.value.startsWith("-") && !token.inlineValue) {
      throw new UsageError(`${command}: ${token.rawName} needs a value`);
    } else {
      values[token.name] = token.value;
    }
  }
  if (help) return { help: true, positionals: [], values: {} };
  const n = positionals.length;
  if (n < count.min) throw new UsageError(`${command}: missing argument`);
  if (n > count.max) {
    throw new UsageError(`${command}: unexpected argument ${quoteArg(positionals[count.max]!)}`);
  }
  return { help: false, positionals, values };
}
