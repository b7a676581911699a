// Reads a secret from the terminal without echoing it (node:process, so
// that Deno, Bun and Node all run it).
import process from "node:process";

const ENTER = new Set(["\r", "\n"]);
const CANCEL = new Set(["\u0003", "\u0004"]); // Ctrl-C, Ctrl-D
const BACKSPACE = new Set(["\u007f", "\b"]);

/** Asks `question` on stderr and reads a line from the terminal, hidden; `undefined` without a TTY. */
export function promptHidden(question: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY || typeof stdin.setRawMode !== "function") return Promise.resolve(undefined);
  process.stderr.write(question);
  return new Promise((resolve) => {
    let answer = "";
    const finish = (value: string | undefined) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: Uint8Array | string) => {
      for (const ch of typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)) {
        if (ENTER.has(ch)) return finish(answer);
        if (CANCEL.has(ch)) return finish(undefined);
        if (BACKSPACE.has(ch)) answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}
