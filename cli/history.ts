// `easy-oauth history`: reads the audit trail straight from its store (the
// SQLite file beside the user_file, caps.audit.db, or --sqlite), with the
// filters of GET /manage_capabilities/history; as lines for people or JSON
// Lines for a SIEM. Also records the changes `easy-oauth caps` makes.
import type { CapabilitySet } from "../src/capabilities/capabilities.ts";
import {
  AUDIT_KINDS,
  type AuditEntry,
  type AuditKind,
  type AuditLog,
  type AuditQuery,
  toJsonLines,
} from "../src/audit/audit_entry.ts";
import { isCursor, MAX_PAGE } from "../src/audit/paging.ts";
import { SqliteAuditLog } from "../src/audit/sqlite_audit_log.ts";
import { auditFileOf } from "../src/audit/settings.ts";
import { FileCapabilityStore } from "../src/stores/file_store.ts";
import { type CliIO, CommandError, UsageError } from "./_io.ts";
import { parseCommandArgs } from "./_args.ts";
import { analyzeFile, capabilitySet } from "./_load.ts";

export const HISTORY_HELP = `Usage:
  easy-oauth history <config.yaml> [--email E] [--actor A] [--kind K[,K…]]
                     [--since T] [--until T] [--limit N] [--cursor C] [--jsonl]
  easy-oauth history --sqlite FILE [same filters]

Prints the audit trail, newest first: who changed whose capabilities, minted or
revoked which token, from where and when. The trail is read from its store
directly (the SQLite file beside the configuration's user_file, caps.yaml →
caps.audit.db, or --sqlite FILE); no server and no password are needed.
--kind is among ${AUDIT_KINDS.join(", ")}. --since and --until take ISO 8601 times or
milliseconds since the epoch. --limit is 1 to ${MAX_PAGE} (50 by default); when more
entries match, the last line says which --cursor gives the next ones.
--jsonl prints one JSON object per line, for a SIEM (the cursor goes to stderr).
`;

const OPTIONS = {
  email: { type: "string" },
  actor: { type: "string" },
  kind: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  sqlite: { type: "string" },
} as const;

/** Runs `history`; returns the exit status. */
export async function historyCommand(args: string[], io: CliIO): Promise<number> {
  const jsonl = args.includes("--jsonl");
  const parsed = parseCommandArgs(
    "history",
    args.filter((arg) => arg !== "--jsonl"),
    OPTIONS,
    { min: 0, max: 1 },
  );
  if (parsed.help) {
    io.stdout(HISTORY_HELP);
    return 0;
  }
  const { sqlite, ...filters } = parsed.values;
  const [config] = parsed.positionals;
  if ((config === undefined) === (sqlite === undefined)) {
    throw new UsageError("history: give a configuration file or --sqlite FILE (see --help)");
  }
  const query = queryOf(filters);
  const log = new SqliteAuditLog(sqlite ?? await trailOf(config));
  try {
    const page = await log.query(query);
    if (jsonl) {
      io.stdout(toJsonLines(page.entries));
      if (page.next) io.stderr(`more: --cursor ${page.next}\n`);
    } else {
      for (const entry of page.entries) io.stdout(describe(entry));
      if (page.next) io.stdout(`more: --cursor ${page.next}\n`);
    }
  } finally {
    log.close();
  }
  return 0;
}

/** The trail of a configuration: beside its user_file. */
async function trailOf(config: string): Promise<string> {
  const capabilities = capabilitySet(await analyzeFile(config));
  if (!(capabilities.store instanceof FileCapabilityStore)) {
    throw new CommandError(`${config}: capabilities.user_file is not set: no trail beside it`);
  }
  return auditFileOf(capabilities.store.file);
}

function queryOf(values: Record<string, string | undefined>): AuditQuery {
  const query: AuditQuery = {};
  if (values.email !== undefined) query.account = values.email;
  if (values.actor !== undefined) query.actor = values.actor;
  if (values.kind !== undefined) {
    const kinds = values.kind.split(",");
    const unknown = kinds.find((k) => !(AUDIT_KINDS as readonly string[]).includes(k));
    if (unknown !== undefined) {
      throw new UsageError(`history: --kind "${unknown}" is not among ${AUDIT_KINDS.join(", ")}`);
    }
    query.kinds = kinds as AuditKind[];
  }
  for (const name of ["since", "until"] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const time = /^[0-9]{1,15}$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(time)) throw new UsageError(`history: --${name} must be a time`);
    query[name] = time;
  }
  if (values.limit !== undefined) {
    const limit = /^[0-9]{1,4}$/.test(values.limit) ? Number(values.limit) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE)) {
      throw new UsageError(`history: --limit must be a whole number from 1 to ${MAX_PAGE}`);
    }
    query.limit = limit;
  }
  if (values.cursor !== undefined) {
    if (!isCursor(values.cursor)) {
      throw new UsageError("history: --cursor is not a cursor of this trail");
    }
    query.cursor = values.cursor;
  }
  return query;
}

/** Text from the trail, stripped of control characters before it reaches a terminal. */
function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, "?");
}

/** One line for people: when, who (how, from where), what. */
function describe(entry: AuditEntry): string {
  const who = entry.actor.email ?? "(edited in the file)";
  const where = entry.actor.address ? ` from ${entry.actor.address}` : "";
  let what: string = entry.kind;
  if (entry.kind === "capabilities_changed") {
    what = `capabilities of ${entry.account}: [${(entry.before ?? []).join(", ")}] → [${
      (entry.after ?? []).join(", ")
    }]`;
  } else if (entry.token) {
    const t = entry.token;
    const expiry = t.expiresAt ? `, expires ${new Date(t.expiresAt * 1000).toISOString()}` : "";
    const caps = t.capabilities ? ` [${t.capabilities.join(", ")}]` : "";
    what = `${entry.kind} ${t.kind} token ${t.id}${
      t.name ? ` (${t.name})` : ""
    }${caps} of ${entry.account}${expiry}`;
  } else {
    what = `${entry.kind} ${entry.account}`;
  }
  return clean(
    `${
      new Date(entry.at).toISOString()
    } ${who} (${entry.actor.credential}${where}, ${entry.via}): ${what}`,
  ) + "\n";
}

/**
 * Records a change `easy-oauth caps` made, in the trail beside the user file;
 * the actor is the operating-system user running the command.
 */
export async function recordCliChange(
  capabilities: CapabilitySet,
  io: CliIO,
  email: string,
  before: readonly string[],
  after: readonly string[],
  log?: AuditLog,
): Promise<void> {
  const was = new Set(before);
  if (was.size === new Set(after).size && after.every((name) => was.has(name))) return;
  const store = capabilities.store;
  if (log === undefined && !(store instanceof FileCapabilityStore)) return;
  const trail = log ?? new SqliteAuditLog(auditFileOf((store as FileCapabilityStore).file));
  try {
    await trail.append({
      at: Date.now(),
      kind: "capabilities_changed",
      account: email,
      actor: { email: io.env.USER ?? io.env.LOGNAME ?? null, credential: "cli" },
      via: "cli",
      before: [...before],
      after: [...after],
    });
  } finally {
    if (trail instanceof SqliteAuditLog && log === undefined) trail.close();
  }
}
