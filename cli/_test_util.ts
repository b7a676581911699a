// Runs the CLI in process, with no environment and no prompt, for the tests.
import { main } from "./main.ts";

/** The exit status and everything the command printed. */
export async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: {},
    prompt: () => Promise.resolve(undefined),
  });
  return { status, stdout, stderr };
}
