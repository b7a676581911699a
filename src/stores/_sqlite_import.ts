// The one-time import of the token file of earlier versions (`caps.tokens.json`,
// written by the former FileTokenStore) into a new SQLite store, so that no
// revocation, API token or login is lost by the upgrade. It runs inside the
// transaction that creates the schema: all of it lands, or none.
import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { canonicalAccount, canonicalEmail } from "../_email.ts";
import { checkGrant, expired, type GrantRecord } from "./_grant_records.ts";
import type { Connection } from "./_sqlite.ts";
import { MAX_TOKEN_LIFETIME } from "./token_store.ts";
import type { ApiTokenRecord } from "./token_store.ts";

/** What was imported, for the log line. */
export interface Imported {
  revocations: number;
  apiTokens: number;
  grants: number;
}

type Json = Record<string, unknown>;

function object(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Copies the unexpired content of `file` into the tables; `undefined` when
 * the file does not exist.
 *
 * @throws {ConfigError} When the file is not a token file (nothing is imported).
 */
export function importTokenFile(c: Connection, file: string, now: number): Imported | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError("is not valid JSON: it was not imported", { file, cause });
  }
  if (!object(value)) throw new ConfigError("must hold a JSON object", { file });
  const part = (key: string): Json => {
    const p = value[key] ?? {};
    if (!object(p)) throw new ConfigError("must be an object", { file, path: [key] });
    return p;
  };
  const bad = (key: string, id: string, cause?: unknown): never => {
    const why = cause instanceof Error ? `: ${cause.message}` : "";
    throw new ConfigError(`has an invalid entry${why}`, { file, path: [key, id], cause });
  };
  const done: Imported = { revocations: 0, apiTokens: 0, grants: 0 };
  for (const [id, until] of Object.entries(part("revoked_ids"))) {
    if (typeof until !== "number") bad("revoked_ids", id);
    if ((until as number) <= now) continue;
    c.sql("insert or replace into revoked_ids (id, until) values (?, ?)").run(id, until as number);
    done.revocations++;
  }
  for (const [email, before] of Object.entries(part("revoked_accounts"))) {
    if (typeof before !== "number") bad("revoked_accounts", email);
    const until = ((before as number) + MAX_TOKEN_LIFETIME) * 1000;
    if (until <= now) continue;
    // Earlier versions kept emails as given; every lookup now lowercases them.
    c.sql(
      `insert into revoked_accounts (email, before, until) values (?, ?, ?)
       on conflict (email) do update set before = max(before, excluded.before),
         until = max(until, excluded.until)`,
    ).run(canonicalAccount(email), before as number, until);
    done.revocations++;
  }
  for (const [id, record] of Object.entries(part("api_tokens"))) {
    const problem = apiTokenProblem(record, id);
    if (problem) bad("api_tokens", id, new TypeError(problem));
    const until = (record as ApiTokenRecord).expires_at * 1000;
    if (!(until > now)) continue;
    c.sql("insert or replace into api_tokens (id, record, until) values (?, ?, ?)")
      .run(id, JSON.stringify(lowercased(record as unknown as ApiTokenRecord)), until);
    done.apiTokens++;
  }
  for (const [id, record] of Object.entries(part("grants"))) {
    try {
      checkGrant(record as unknown as GrantRecord);
      if ((record as Json).id !== id) throw new TypeError("id differs from its key");
    } catch (cause) {
      bad("grants", id, cause);
    }
    const grant = record as unknown as GrantRecord;
    if (expired(grant, now)) continue;
    c.sql(
      "insert or replace into grants (id, email, version, expires_at, data) values (?, ?, ?, ?, ?)",
    ).run(
      id,
      canonicalEmail(grant.email),
      grant.version,
      grant.expires_at,
      JSON.stringify(grant.data),
    );
    done.grants++;
  }
  return done;
}

/** What makes `record` (under `id`) not an API token record as the routes write them, or `null`. */
function apiTokenProblem(record: unknown, id: string): string | null {
  if (!object(record)) return "is not an object";
  if (record.id !== id) return '"id" differs from its key';
  for (const key of ["name", "created_by"]) {
    if (typeof record[key] !== "string" || record[key] === "") {
      return `"${key}" must be a non-empty string`;
    }
  }
  for (const key of ["expires_at", "created_at"]) {
    if (!Number.isFinite(record[key])) return `"${key}" must be a number of seconds`;
  }
  const { capabilities, parents } = record;
  if (!Array.isArray(capabilities) || !capabilities.every((c) => typeof c === "string")) {
    return '"capabilities" must be a list of names';
  }
  const parent = (p: unknown) =>
    object(p) && typeof p.email === "string" && typeof p.tokenId === "string" &&
    (p.issuedAt === undefined || Number.isFinite(p.issuedAt));
  if (parents !== undefined && !(Array.isArray(parents) && parents.every(parent))) {
    return '"parents" must be a list of {email, tokenId, issuedAt}';
  }
  return null;
}

/** An API token record whose name, creator and parents are lowercased, as lookups make them. */
function lowercased(record: ApiTokenRecord): ApiTokenRecord {
  const { name, created_by, parents } = record;
  return {
    ...record,
    name: canonicalEmail(name),
    created_by: canonicalEmail(created_by),
    ...parents && { parents: parents.map((p) => ({ ...p, email: canonicalEmail(p.email) })) },
  };
}
