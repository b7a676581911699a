// `easy-oauth login --url https://app/`: a headless login. Prints a link for a
// person to open in any browser, polls the app until they logged in, and
// prints the token on standard output (everything else goes to stderr, so
// that `TOKEN=$(easy-oauth login --url …)` works).
import { parseCommandArgs } from "./_args.ts";
import { type CliIO, CommandError, UsageError } from "./_io.ts";

export const LOGIN_HELP = `Usage: easy-oauth login --url <app URL>

Logs in to an app that uses easy-oauth without a browser on this machine: it
prints a link to open in any browser and a code to compare, waits until you
logged in there (five minutes at most), then prints a bearer token on standard
output. --url is the app's address, with its route prefix if it has one
(https://app.example.com/api/v1).
`;

/** What a bearer token is made of (RFC 6750 §2.1's b64token), within a sane length. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{1,8192}$/;

interface Started {
  login_url: string;
  token_url: string;
  expires_in: number;
  user_code?: string | undefined;
  interval?: number | undefined;
}

/** Runs `login`; returns the exit status. */
export async function loginCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs("login", args, { url: { type: "string" } }, { min: 0, max: 0 });
  if (parsed.help) {
    io.stdout(LOGIN_HELP);
    return 0;
  }
  const base = appUrl(parsed.values.url);
  const { started, cookie } = await startLogin(base, io.signal);
  io.stderr(
    `Open this link in a browser and log in:\n\n  ${printable(started.login_url)}\n\n` +
      `The page shows this code; continue only if it matches: ${
        printable(String(started.user_code ?? "(none)"))
      }\n` +
      `Waiting (at most ${Math.round(started.expires_in / 60)} minutes)…\n`,
  );
  const { token, email } = await waitForToken(started, cookie, io.signal);
  io.stdout(`${token}\n`);
  // Whose token it is: the person at the terminal can tell if someone else completed the login.
  io.stderr(`Logged in as ${email ?? "(unknown)"}.\n`);
  return 0;
}

function appUrl(url: string | undefined): URL {
  if (url === undefined) throw new UsageError("login: --url is required");
  if (!URL.canParse(url)) throw new UsageError(`login: --url ${JSON.stringify(url)} is not a URL`);
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UsageError("login: --url must be an http(s) URL");
  }
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  return parsed;
}

async function startLogin(base: URL, signal: AbortSignal | undefined) {
  const url = new URL("login?headless=true", base);
  const res = await request(url, {}, signal);
  if (res.status !== 200) throw await failure(res, "the app refused to start a headless login");
  const started = await res.json() as Started;
  if (typeof started.login_url !== "string" || typeof started.token_url !== "string") {
    throw new CommandError(`${url.origin} did not answer like an easy-oauth app`);
  }
  // The poll key: the only thing that lets us, and nobody else, redeem the token.
  const cookie = res.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  return { started, cookie };
}

async function waitForToken(
  started: Started,
  cookie: string,
  signal: AbortSignal | undefined,
): Promise<{ token: string; email?: string }> {
  const deadline = Date.now() + started.expires_in * 1000;
  const interval = Math.min(Math.max(started.interval ?? 2, 1), 30) * 1000;
  while (Date.now() < deadline) {
    const res = await request(new URL(started.token_url), { cookie }, signal);
    if (res.status === 200) {
      const body = await res.json() as { refresh_token?: unknown; email?: unknown };
      if (typeof body.refresh_token === "string") {
        // Printed raw on stdout, to be captured: only a token's characters, never an escape sequence.
        if (!TOKEN.test(body.refresh_token)) {
          throw new CommandError("the app answered with something that is not a token");
        }
        const email = typeof body.email === "string" ? printable(body.email, 254) : undefined;
        return email === undefined
          ? { token: body.refresh_token }
          : { token: body.refresh_token, email };
      }
      throw new CommandError("the app answered without a token");
    }
    if (res.status !== 202) throw await failure(res, "the login failed");
    await res.body?.cancel();
    await sleep(interval, signal);
  }
  throw new CommandError("nobody logged in within the time allowed; run the command again");
}

async function request(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<Response> {
  try {
    return await fetch(url, {
      headers: { accept: "application/json", ...headers },
      redirect: "manual",
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(30_000)])
        : AbortSignal.timeout(30_000),
    });
  } catch (err) {
    if (signal?.aborted) throw new CommandError("interrupted");
    throw new CommandError(`cannot reach ${url.origin}: ${(err as Error).message}`);
  }
}

async function failure(res: Response, what: string): Promise<CommandError> {
  const body = await res.json().catch(() => ({})) as { detail?: unknown };
  const detail = typeof body.detail === "string" ? `: ${printable(body.detail)}` : "";
  return new CommandError(`${what} (HTTP ${res.status})${detail}`);
}

/**
 * What a server said, made safe for a terminal: no control characters (C0,
 * DEL, C1), so that no escape sequence (OSC 52 setting the clipboard, CSI
 * clearing the screen, a title change) gets through; cut to `max` characters.
 */
function printable(text: string, max = 2000): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, "").slice(0, max);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new CommandError("interrupted"));
    }, { once: true });
  });
}
