#!/usr/bin/env bun
/**
 * The `easy-oauth` command line: encrypt and check configuration files,
 * edit the capability file offline, log in from a terminal, run the mock provider.
 *
 * ```sh
 * deno run -A jsr:@easy-oauth/hono/cli check config.yaml
 * deno task cli encrypt config.yaml     # in this repository
 * bun cli/main.ts caps add config.yaml ann@example.com write
 * ```
 *
 * Importing this module does nothing; {@link main} runs a command.
 *
 * @example
 * ```ts
 * import { main } from "@easy-oauth/hono/cli";
 * const status = await main(["secret"], { stdout: (text) => console.log(text.trim()) });
 * status; // 0
 * ```
 *
 * @module
 */
import process from "node:process";
import { ConfigError } from "../src/errors.ts";
import { type CliIO, CommandError, processIO, UsageError } from "./_io.ts";
import { quoteArg } from "./_args.ts";
import { VERSION } from "./_version.ts";
import { encryptCommand } from "./encrypt.ts";
import { decryptCommand } from "./decrypt.ts";
import { checkCommand } from "./check.ts";
import { capsCommand } from "./caps.ts";
import { historyCommand } from "./history.ts";
import { loginCommand } from "./login.ts";
import { mockCommand } from "./mock.ts";
import { secretCommand } from "./secret.ts";

export type { CliIO } from "./_io.ts";

const HELP = `Usage: easy-oauth <command> [options]

Commands:
  encrypt <config.yaml>                     encrypt secret_key, client_id, client_secret in place
  decrypt <config.yaml>                     print the file with its secrets decrypted
  check <config.yaml>                       validate the configuration and summarize it
  caps list <config.yaml> [email]           show capabilities
  caps add|remove <config.yaml> <email> <capability>
  caps set <config.yaml> <email> [capability...]
  caps import <caps.yaml> --postgres URL    copy a capability file into PostgreSQL
  caps export --postgres URL > caps.yaml    print PostgreSQL's capabilities as a file
  history <config.yaml> [filters]           print the audit trail: who changed what, when
  login --url <app URL>                     log in from a terminal (headless) and print a token
  mock [--port 29313] [--hostname 127.0.0.1] [--email test@example.com] [--auto]
                                            run the mock OpenID provider
  secret                                    print a fresh random secret key

Run "easy-oauth <command> --help" for details, "easy-oauth --version" for the version. Passwords come from SERIEUX_PASSWORD,
else EASY_OAUTH_PASSWORD, else a prompt on the terminal.
`;

const COMMANDS: Readonly<Record<string, (args: string[], io: CliIO) => Promise<number>>> = {
  encrypt: encryptCommand,
  decrypt: decryptCommand,
  check: checkCommand,
  caps: capsCommand,
  history: historyCommand,
  login: loginCommand,
  mock: mockCommand,
  secret: secretCommand,
};

/**
 * Runs one command of the `easy-oauth` tool.
 *
 * @param args The arguments after the program name (`["check", "config.yaml"]`).
 * @param io Where to write and what to read; the process's own by default.
 * Tests pass their own to run commands in process.
 * @returns The exit status: 0 on success, 1 when the command failed (an invalid
 * configuration, a wrong password), 2 on a command-line mistake.
 *
 * @example
 * ```ts
 * import { main } from "@easy-oauth/hono/cli";
 * let out = "";
 * await main(["--help"], { stdout: (text) => out += text });
 * out.startsWith("Usage: easy-oauth"); // true
 * ```
 */
export async function main(args: string[], io: Partial<CliIO> = {}): Promise<number> {
  const full: CliIO = { ...processIO(), ...io };
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      (command === undefined ? full.stderr : full.stdout)(HELP);
      return command === undefined ? 2 : 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (command === "--version" || command === "-V" || command === "version") {
      full.stdout(`easy-oauth ${VERSION}\n`);
      return 0;
    }
    if (run === undefined) throw new UsageError(`unknown command ${quoteArg(command)}`);
    return await run(rest, full);
  } catch (err) {
    if (err instanceof UsageError) {
      const known = command !== undefined && Object.hasOwn(COMMANDS, command);
      const help = known ? `easy-oauth ${command} --help` : "easy-oauth --help";
      full.stderr(`easy-oauth: ${err.message} (see \`${help}\`)\n`);
      return 2;
    }
    if (err instanceof CommandError) {
      full.stderr(`easy-oauth: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ConfigError) {
      // Already one "file: path: problem" line per problem, as compilers print them.
      full.stderr(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (import.meta.main) {
  // `deno task cli` (like npm scripts) runs in the folder of deno.json and says in INIT_CWD
  // where the user typed the command: relative paths are the user's.
  if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  main(process.argv.slice(2)).then(
    (status) => process.exitCode = status,
    (err: unknown) => {
      // Not a stack trace for the user: the message is enough to report it.
      process.stderr.write(`easy-oauth: unexpected error: ${(err as Error)?.message ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
