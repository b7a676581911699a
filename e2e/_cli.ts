// Runs the easy-oauth command line in a child process, as a person would in a terminal.

/** A running `easy-oauth` command. */
export interface Cli extends AsyncDisposable {
  /** Standard error read so far, once it matches `pattern` (60 s at most). */
  stderrUntil(pattern: RegExp): Promise<string>;
  /** The whole standard output, once the command exited with status 0. */
  stdout(): Promise<string>;
}

/** Starts `deno run -A cli/main.ts ...args`. */
export function startCli(args: string[]): Cli {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../cli/main.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    cwd: new URL("..", import.meta.url).pathname, // the package's deno.json, not the e2e's
    env: { NO_COLOR: "1" },
  }).spawn();
  let stderr = "";
  const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (stderr += chunk) }),
  );
  const output = new Response(child.stdout).text();
  return {
    async stderrUntil(pattern) {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(stderr)) {
        if (Date.now() > deadline) {
          throw new Error(`the command never printed ${pattern}:\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stderr;
    },
    async stdout() {
      const [{ code }, text] = await Promise.all([child.status, output]);
      if (code !== 0) throw new Error(`the command exited with ${code}:\n${stderr}`);
      return text;
    },
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await Promise.all([child.status, reading.catch(() => {}), output.catch(() => "")]);
    },
  };
}
