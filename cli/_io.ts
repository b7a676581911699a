// What a command reads and writes, injectable so that tests run the CLI in process.
import process from "node:process";
import { promptHidden } from "./_prompt.ts";

/** The outside world of a command. */
export interface CliIO {
  /** Writes to standard output (text includes its newline). */
  stdout(text: string): void;
  /** Writes to standard error (text includes its newline). */
  stderr(text: string): void;
  /** The environment variables (`SERIEUX_PASSWORD`, `EASY_OAUTH_PASSWORD`). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Asks for a secret without echoing it; `undefined` when there is no
   * terminal to ask on (or the user cancelled).
   */
  prompt(question: string): Promise<string | undefined>;
  /** Stops long-running commands (`mock`); by default SIGINT/SIGTERM do. */
  signal?: AbortSignal | undefined;
}

/** The process's own standard streams, environment and terminal. */
export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    prompt: promptHidden,
  };
}

/** A mistake on the command line: one line on stderr and exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the user can act on: one message on stderr and exit status 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

/** The password from the environment, else from a prompt on a terminal. */
export async function getPassword(
  io: CliIO,
  options: { confirm?: boolean } = {},
): Promise<string | undefined> {
  const fromEnv = io.env.SERIEUX_PASSWORD || io.env.EASY_OAUTH_PASSWORD;
  if (fromEnv) return fromEnv;
  const password = await io.prompt("Password: ");
  if (!password) return undefined;
  if (options.confirm && await io.prompt("Password again: ") !== password) {
    throw new CommandError("the two passwords differ");
  }
  return password;
}
