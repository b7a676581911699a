// `easy-oauth caps list|add|remove|set`: edits the capability file offline,
// with the server's validation and atomic writes (CapabilitySet on the
// configuration's user_file).
import type { CapabilitySet } from "../src/capabilities/capabilities.ts";
import { CapabilityError } from "../src/capabilities/capability_error.ts";
import { type CliIO, CommandError, UsageError } from "./_io.ts";
import { parseCommandArgs, quoteArg } from "./_args.ts";
import { analyzeFile, capabilitySet } from "./_load.ts";
import { exportCaps, importCaps } from "./_caps_transfer.ts";
import { recordCliChange } from "./history.ts";

export const CAPS_HELP = `Usage:
  easy-oauth caps list <config.yaml> [email]
  easy-oauth caps add <config.yaml> <email> <capability>
  easy-oauth caps remove <config.yaml> <email> <capability>
  easy-oauth caps set <config.yaml> <email> [capability...]
  easy-oauth caps import <caps.yaml> --postgres URL [--schema NAME] [--replace]
  easy-oauth caps export --postgres URL [--schema NAME] > caps.yaml

Shows or changes the capabilities stored in the configuration's user_file (list
also shows the effective ones: implied, default and override capabilities), with
the same checks as the server (known capabilities, valid emails) and the same
atomic write, keeping the file's comments. No password is needed.

import and export move the accounts of a capability file (not a configuration)
into and out of a PostgreSQL store (@easy-oauth/hono/postgres, schema
"easy_oauth" unless --schema): accounts and lists round-trip exactly, in order;
comments are the file's. import writes each account of the file; --replace also
deletes the database's accounts the file does not hold. Capability names are
not checked against a graph: check the file first (easy-oauth check).
`;

const COUNTS: Readonly<Record<string, { min: number; max: number }>> = {
  list: { min: 1, max: 2 },
  add: { min: 3, max: 3 },
  remove: { min: 3, max: 3 },
  set: { min: 2, max: Infinity },
  import: { min: 1, max: 1 },
  export: { min: 0, max: 0 },
};

const TRANSFER = { postgres: { type: "string" }, schema: { type: "string" } } as const;
function names(list: Iterable<string>): string {
  const all = [...list];
  return all.length ? all.join(", ") : "(none)";
}

function line(email: string, list: readonly string[]): string {
  return `${email}: ${names(list)}\n`;
}

/** What `list` shows: the stored capabilities, then what they give with implications, defaults and overrides. */
async function listLine(capabilities: CapabilitySet, email: string, list: readonly string[]) {
  const effective = [...await capabilities.effective(email)].sort();
  return `${email}: ${names(list)}; effective: ${names(effective)}\n`;
}

/** Runs `caps`; returns the exit status. */
export async function capsCommand(args: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === "--help" || action === "-h") {
    (action === undefined ? io.stderr : io.stdout)(CAPS_HELP);
    return action === undefined ? 2 : 0;
  }
  const count = Object.hasOwn(COUNTS, action) ? COUNTS[action] : undefined;
  if (!count) {
    throw new UsageError(
      `caps: unknown action ${quoteArg(action)} (list, add, remove, set, import or export)`,
    );
  }
  const transfer = action === "import" || action === "export";
  const replace = transfer && rest.includes("--replace");
  const parsed = parseCommandArgs(
    `caps ${action}`,
    replace ? rest.filter((arg) => arg !== "--replace") : rest,
    transfer ? TRANSFER : {},
    count,
  );
  if (parsed.help) {
    io.stdout(CAPS_HELP);
    return 0;
  }
  if (transfer) {
    const args = { postgres: parsed.values.postgres, schema: parsed.values.schema, replace };
    if (action === "import") await importCaps(parsed.positionals[0]!, args, io);
    else await exportCaps(args, io);
    return 0;
  }
  // The counts above were checked: the file, and the email for every action but a bare list.
  const [file = "", email = "", ...names] = parsed.positionals;
  const analysis = await analyzeFile(file);
  if (!(analysis.options?.capabilities as { userFile?: string }).userFile && action !== "list") {
    throw new CommandError(`${file}: capabilities.user_file is not set: nothing to edit`);
  }
  const capabilities = capabilitySet(analysis);
  // The list before the change, for the audit trail (as the store read it under its lock).
  let before: readonly string[] = [];
  const guard = (change: { current: readonly string[] }) => void (before = change.current);
  const changed = async (after: string[]) => {
    await recordCliChange(capabilities, io, email, before, after);
    return after;
  };
  try {
    if (action === "list" && parsed.positionals.length === 1) {
      for (const [user, list] of await capabilities.users()) {
        io.stdout(await listLine(capabilities, user, list));
      }
    } else if (action === "list") {
      io.stdout(await listLine(capabilities, email, await capabilities.get(email)));
    } else if (action === "add") {
      io.stdout(line(email, await changed(await capabilities.add(email, names[0]!, guard))));
    } else if (action === "remove") {
      io.stdout(line(email, await changed(await capabilities.remove(email, names[0]!, guard))));
    } else {
      io.stdout(line(email, await changed(await capabilities.set(email, names, guard))));
    }
  } catch (err) {
    if (err instanceof CapabilityError) throw new CommandError(`caps ${action}: ${err.message}`);
    throw err;
  }
  return 0;
}
