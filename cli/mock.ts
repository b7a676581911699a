// `easy-oauth mock`: the mock OpenID provider on a local port, until stopped.
import process from "node:process";
import { parseServerArgs } from "../mock/server.ts";
import { createMockProvider } from "../mock/mod.ts";
import { serve } from "../testing/_serve.ts";
import { type CliIO, CommandError, UsageError } from "./_io.ts";
import { parseCommandArgs } from "./_args.ts";

const MOCK_OPTIONS = {
  port: { type: "string", short: "p" },
  hostname: { type: "string" },
  email: { type: "string" },
  client: { type: "string", multiple: true },
  auto: { type: "boolean" },
} as const;

export const MOCK_HELP =
  `Usage: easy-oauth mock [--port 29313] [--hostname 127.0.0.1] [--email test@example.com] [--auto]
                        [--client <id>:<secret>:<redirect_uri>[,<redirect_uri>...]]...

Runs a mock OpenID Connect provider until interrupted (Ctrl-C). Its login page
asks who logs in (--email is the default); with --auto it logs everyone in as
--email without asking. Each --client registers a client; with any, unknown
clients, wrong secrets and unregistered redirect URIs are refused; without, codes
go only to loopback redirect URIs (localhost, 127.0.0.1, [::1]). Point
server_metadata_url at the discovery URL it prints. Change the default user with:
  curl -X POST -H "Content-Type: application/json" -d '{"email": "a@b.c"}' <url>/set_email
(it counts at the next login: log in again).
`;

/** Resolves when `signal` aborts or, without one, on SIGINT/SIGTERM. */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Runs `mock`; returns the exit status once stopped. */
export async function mockCommand(args: string[], io: CliIO): Promise<number> {
  // The parser's own messages are not for users: ours first, then the values' checks.
  if (parseCommandArgs("mock", args, MOCK_OPTIONS, { min: 0, max: 0 }).help) {
    io.stdout(MOCK_HELP);
    return 0;
  }
  let parsed;
  try {
    parsed = parseServerArgs(args);
  } catch (err) {
    throw new UsageError(`mock: ${(err as Error).message.replace(/\.$/, "")}`);
  }
  if (parsed.help) {
    io.stdout(MOCK_HELP);
    return 0;
  }
  const provider = createMockProvider({
    email: parsed.email,
    clients: parsed.clients,
    loginPage: !parsed.auto,
  });
  let served;
  try {
    served = await serve(provider.fetch, { port: parsed.port, hostname: parsed.hostname });
  } catch (err) {
    const where = `${parsed.hostname}:${parsed.port}`;
    throw new CommandError(`mock: cannot listen on ${where}: ${(err as Error).message}`);
  }
  io.stdout(
    `Mock OpenID provider on ${served.url} as ${provider.email}` +
      `${parsed.auto ? "" : " (its login page suggests it)"}\n` +
      `server_metadata_url: ${served.url}/.well-known/openid-configuration\n`,
  );
  await stopped(io.signal);
  await served.close();
  return 0;
}
