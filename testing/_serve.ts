// Serving a fetch handler on Deno or Bun, for the mock provider and tests.

/** A fetch handler, as `Deno.serve`, `Bun.serve` and Hono's `app.fetch` take. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** Where to listen. */
export interface ServeOptions {
  /**
   * The TCP port; `0` picks a free one, reported in {@link Served.port}.
   * @default {0}
   */
  port?: number | undefined;
  /**
   * The interface to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string | undefined;
}

/** A running server. */
export interface Served {
  /** The base URL, without a trailing slash: `"http://127.0.0.1:<port>"`. */
  url: string;
  /** The port actually listened on. */
  port: number;
  /** Stops listening, closes connections, and resolves once the server is down. */
  close(): Promise<void>;
}

// Just enough of each runtime's server API, declared here so that the module
// type-checks without either runtime's type definitions.
interface DenoRuntime {
  serve(
    options: { port: number; hostname: string; onListen: (addr: unknown) => void },
    handler: Handler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
interface BunRuntime {
  serve(options: { port: number; hostname: string; fetch: Handler }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void> | void;
  };
}

/**
 * Serves `handler` with `Deno.serve` on Deno or `Bun.serve` on Bun.
 *
 * @returns The running server; it rejects with a `TypeError` when `port` or
 *   `hostname` is invalid, and with an `Error` on another runtime or when the
 *   port is taken.
 */
// deno-lint-ignore require-await -- async so that every failure is a rejection
export async function serve(handler: Handler, options: ServeOptions = {}): Promise<Served> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('"port" must be a whole number from 0 to 65535.');
  }
  const hostname = options.hostname ?? "127.0.0.1";
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError('"hostname" must be a non-empty string.');
  }
  const runtime = globalThis as { Deno?: DenoRuntime; Bun?: BunRuntime };
  // Bun first: it defines no `Deno`, but some shims do.
  if (runtime.Bun !== undefined) return serveBun(runtime.Bun, handler, port, hostname);
  if (runtime.Deno !== undefined) return serveDeno(runtime.Deno, handler, port, hostname);
  throw new Error("serve() needs Deno or Bun.");
}

function serveDeno(deno: DenoRuntime, handler: Handler, port: number, hostname: string): Served {
  // A fetch handler takes one argument: Deno's second (connection info) stays out.
  const server = deno.serve({ port, hostname, onListen() {} }, (request) => handler(request));
  return served(hostname, server.addr.port, () => server.shutdown());
}

function serveBun(bun: BunRuntime, handler: Handler, port: number, hostname: string): Served {
  const server = bun.serve({ port, hostname, fetch: (request) => handler(request) });
  return served(hostname, server.port, async () => {
    await server.stop(true);
  });
}

function served(hostname: string, port: number, stop: () => Promise<void>): Served {
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(hostname)}:${port}`,
    port,
    close: () => (closing ??= stop()),
  };
}

/** A host to reach the server at: the wildcard addresses are reached via loopback. */
function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  return hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
}
