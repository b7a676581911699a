// What the PostgreSQL stores share: the client type, the schema's quoted
// name, and the line between "the database cannot be reached" (a 503) and
// everything else.
import type postgres from "postgres";
import { StoreUnavailable } from "../src/errors.ts";

/** A `postgres` (porsager) client, the app's own or ours. */
export type Sql = postgres.Sql<Record<string, never>>;

/** Schema names we accept: plain lower-case identifiers, so they need no escaping anywhere. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// Connection failures (postgres.js codes, socket errors) and SQLSTATE classes
// 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now), 53300 (too many connections).
const UNREACHABLE = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** Whether `error` says the database cannot be reached (rather than a bug in a query). */
export function unreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (UNREACHABLE.has(code) || code.startsWith("08"));
}

/**
 * Runs a database operation; a failure to reach the database becomes a
 * `StoreUnavailable` (answered 503), anything else propagates unchanged.
 */
export async function reaching<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (unreachable(error)) {
      throw new StoreUnavailable(`PostgreSQL cannot be reached to ${what}`, { cause: error });
    }
    throw error;
  }
}
