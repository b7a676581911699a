/**
 * Runs the mock OpenID provider on a local port, on Deno or Bun:
 *
 * ```sh
 * deno run -A mock/server.ts [--port 29313] [--hostname 127.0.0.1] [--email test@example.com]
 *                            [--client <id>:<secret>:<redirect_uri>[,<redirect_uri>…]]…
 * bun mock/server.ts --port 0
 * ```
 *
 * Importing this module does nothing; {@link main} runs the server.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { serve } from "../testing/_serve.ts";
import { isValidEmail } from "./_email.ts";
import { createMockProvider, type MockClient } from "./mod.ts";

const USAGE =
  `Usage: mock/server.ts [--port 29313] [--hostname 127.0.0.1] [--email test@example.com] [--auto]
                      [--client <id>:<secret>:<redirect_uri>[,<redirect_uri>...]]...

Runs a mock OpenID Connect provider. Its login page asks who logs in (--email is
the default); with --auto it logs everyone in as --email without asking.
Each --client registers a client (an empty secret makes it public); with any, the
provider refuses unknown clients, wrong secrets and unregistered redirect URIs;
without, codes go only to loopback redirect URIs (localhost, 127.0.0.1, [::1]).
Change the default with: curl -X POST -H "Content-Type: application/json" -d '{"email": "a@b.c"}' <url>/set_email
(it counts at the next login: log in again).`;

/** The command line of the server, parsed. */
export interface ServerArgs {
  /** The TCP port; 0 picks a free one. */
  port: number;
  /** The interface to listen on. */
  hostname: string;
  /** Who logs in. */
  email: string | undefined;
  /** Registered clients (`--client`), or `undefined` to accept any. */
  clients: MockClient[] | undefined;
  /** Whether `--help` was asked for. */
  help: boolean;
  /** `--auto`: log in without showing the login page. */
  auto: boolean;
}

/**
 * Parses the server's command line.
 *
 * @param argv The arguments after the script name.
 * @returns The parsed arguments.
 * @throws {TypeError} with a one-line message on an unknown or malformed argument.
 *
 * @example
 * ```ts
 * import { parseServerArgs } from "./server.ts";
 * parseServerArgs(["--port", "0"]).port; // 0
 * ```
 */
export function parseServerArgs(argv: string[]): ServerArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", short: "p" },
        hostname: { type: "string" },
        email: { type: "string" },
        client: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
        auto: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // node:util's messages can span lines; keep the first.
    throw new TypeError(String((err as Error).message).split("\n")[0]);
  }
  const port = values.port === undefined ? 29313 : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? "0") || port > 65535) {
    throw new TypeError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  }
  if (values.email !== undefined && !isValidEmail(values.email)) {
    throw new TypeError(`--email must be an email address, not "${values.email}".`);
  }
  return {
    port,
    hostname: values.hostname ?? "127.0.0.1",
    email: values.email,
    clients: values.client?.map(parseClient),
    help: values.help ?? false,
    auto: values.auto ?? false,
  };
}

/** `<id>:<secret>:<uri>[,<uri>…]`; the URIs are checked by `createMockProvider`. */
function parseClient(text: string): MockClient {
  const match = /^([^:]+):([^:]*):(.+)$/.exec(text);
  if (!match) {
    throw new TypeError(`--client must be <id>:<secret>:<redirect_uri>[,...], not "${text}".`);
  }
  const [, clientId = "", secret = "", uris = ""] = match;
  return {
    clientId,
    ...(secret === "" ? {} : { clientSecret: secret }),
    redirectUris: uris.split(","),
  };
}

/**
 * Starts the server and prints where it listens.
 *
 * @param argv The arguments after the script name.
 * @returns The running server, or `undefined` after `--help`.
 * @throws {TypeError} on a bad argument (including a bad `--email`).
 *
 * @example
 * ```ts
 * import { main } from "./server.ts";
 * const served = await main(["--port", "0"]);
 * await served?.close();
 * ```
 */
export async function main(
  argv: string[],
): Promise<{ url: string; port: number; close(): Promise<void> } | undefined> {
  const args = parseServerArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return undefined;
  }
  const provider = createMockProvider({
    email: args.email,
    clients: args.clients,
    loginPage: !args.auto,
  });
  const served = await serve(provider.fetch, { port: args.port, hostname: args.hostname });
  console.log(
    `Mock OpenID provider on ${served.url} (discovery: ${served.url}/.well-known/openid-configuration)`,
  );
  return served;
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`mock/server.ts: ${message} (try --help)`);
    process.exit(err instanceof TypeError ? 2 : 1);
  });
}
