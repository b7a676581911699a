// Runs `examples/demo.ts` in a child process on free ports and reads its URLs.

/** The demo running in a child process. */
export interface Demo extends AsyncDisposable {
  /** The example app's origin, `http://127.0.0.1:<port>`. */
  app: string;
  /** The mock provider's origin. */
  provider: string;
}

const LINE = /^(Mock OpenID provider|Example app):\s+(http:\/\/[^\s/]+)/;

/** Starts the demo (app and mock provider on ports picked by the system). */
export async function startDemo(): Promise<Demo> {
  // A fresh copy of the example capability file for each run.
  const data = await Deno.makeTempDir({ prefix: "easy-oauth-e2e-demo-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../examples/demo.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--provider-port",
      "0",
      "--data-dir",
      data,
    ],
    stdout: "piped",
    stderr: "inherit",
    cwd: new URL("..", import.meta.url).pathname, // the package's deno.json, not the e2e's
    env: { NO_COLOR: "1" },
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(data, { recursive: true });
  };
  try {
    const urls = await readUrls(child.stdout);
    return { ...urls, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function readUrls(
  stdout: ReadableStream<Uint8Array>,
): Promise<{ app: string; provider: string }> {
  const found: Record<string, string> = {};
  const lines = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => lines.cancel("the demo did not start in 60 s"), 60_000);
  try {
    while (found["Example app"] === undefined || found["Mock OpenID provider"] === undefined) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`the demo exited before printing its URLs:\n${text}`);
      text += value;
      for (const line of text.split("\n")) {
        const match = LINE.exec(line);
        if (match) found[match[1]] = match[2];
      }
    }
  } finally {
    clearTimeout(deadline);
  }
  // Keep draining so the child never blocks on a full pipe.
  (async () => {
    while (!(await lines.read()).done) { /* drain */ }
  })().catch(() => {});
  return { app: found["Example app"], provider: found["Mock OpenID provider"] };
}
