// `easy-oauth check config.yaml`: validates a configuration and summarizes it.
import type { CapabilitySet } from "../src/capabilities/capabilities.ts";
import { type CliIO, getPassword } from "./_io.ts";
import { parseCommandArgs } from "./_args.ts";
import { analyzeFile, capabilitySet } from "./_load.ts";

export const CHECK_HELP = `Usage: easy-oauth check <config.yaml>

Validates the configuration file and its user_file, then prints each capability
with what it implies and who holds it. Encrypted secrets are checked when a
password is given (SERIEUX_PASSWORD, else EASY_OAUTH_PASSWORD, else a prompt on the
terminal); without one, everything else is checked. Exit status 1 on any problem.
`;

/** At most this many emails per capability in the summary. */
const MAX_LISTED = 10;

/** Runs `check`; returns the exit status. */
export async function checkCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs("check", args, {}, { min: 1, max: 1 });
  if (parsed.help) {
    io.stdout(CHECK_HELP);
    return 0;
  }
  const file = parsed.positionals[0]!; // exactly one, checked above
  let analysis = await analyzeFile(file);
  let password: string | undefined;
  if (analysis.encrypted.length > 0) {
    password = await getPassword(io);
    if (password !== undefined) analysis = await analyzeFile(file, password);
  }
  const capabilities = capabilitySet(analysis);
  const users = await capabilities.users();
  const options = analysis.options!;
  const lines = [`${file}: OK`];
  if (options.forceUser) lines.push(`force_user: ${options.forceUser.email} (no provider)`);
  else lines.push(`provider: ${options.serverMetadataUrl}`);
  const secrets = analysis.encrypted.map((path) => path.join(".")).join(", ");
  if (secrets && password === undefined) {
    lines.push(`encrypted: ${secrets} (NOT checked: no password, set SERIEUX_PASSWORD)`);
  } else if (secrets) {
    lines.push(`encrypted: ${secrets} (decrypted and checked)`);
  }
  const userFile = (options.capabilities as { userFile?: string }).userFile;
  lines.push(
    userFile
      ? `capabilities (users from ${userFile}, ${users.size} account${
        users.size === 1 ? "" : "s"
      }):`
      : "capabilities (no user_file: users are kept in memory):",
  );
  lines.push(...summary(capabilities, users));
  io.stdout(lines.join("\n") + "\n");
  return 0;
}

/** One line per capability: what it implies and who holds it (directly or by implication). */
function summary(capabilities: CapabilitySet, users: ReadonlyMap<string, string[]>): string[] {
  const holders = new Map<string, string[]>(capabilities.names.map((name) => [name, []]));
  for (const [email, stored] of users) {
    const held = new Set(stored.flatMap((name) => [...capabilities.implied(name)]));
    for (const name of held) holders.get(name)?.push(email);
  }
  return capabilities.names.map((name) => {
    const implies = [...capabilities.implied(name)].filter((other) => other !== name);
    const who = holders.get(name) ?? [];
    const listed = who.slice(0, MAX_LISTED).join(", ") +
      (who.length > MAX_LISTED ? `, and ${who.length - MAX_LISTED} more` : "");
    const head = implies.length ? `${name} (implies ${implies.join(", ")})` : name;
    return `  ${head}: ${who.length ? listed : "nobody"}`;
  });
}
