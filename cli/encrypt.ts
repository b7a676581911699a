// `easy-oauth encrypt config.yaml`: encrypts the secrets in place, as
// `serieux patch` would, leaving the rest of the file untouched.
import { stat } from "node:fs/promises";
import type { Document } from "yaml";
import { decryptValue, encryptValue, isEncrypted } from "../src/config/serieux_crypt.ts";
import { readConfigText } from "../src/config/read.ts";
import { parseYamlDocument } from "../src/_yaml.ts";
import { atomicWrite } from "../src/stores/_atomic_write.ts";
import { applyEdits, type ScalarEdit, topLevelScalars } from "./_yaml_edit.ts";
import { type CliIO, CommandError, getPassword } from "./_io.ts";
import { parseCommandArgs } from "./_args.ts";

/** The keys whose values are secrets, in both spellings. */
export const SECRET_KEYS = [
  "secret_key",
  "secretKey",
  "client_id",
  "clientId",
  "client_secret",
  "clientSecret",
] as const;

/** The secret values of a document, in order, per key. */
function secretValues(doc: Document): unknown[] {
  return SECRET_KEYS.flatMap((key) => topLevelScalars(doc, key)?.scalars.map((n) => n.value) ?? []);
}

/**
 * Refuses to write unless the edited text parses and each secret reads back as
 * before (decrypted), so that an edit can never corrupt the file.
 */
async function checkReadsBack(edited: string, original: Document, file: string, password: string) {
  const before = secretValues(original);
  const after = secretValues(parseYamlDocument(edited, file));
  const same = before.length === after.length &&
    (await Promise.all(after.map(async (value, i) =>
      value === before[i] ||
      (!isEncrypted(before[i]) && await decryptValue(value as string, password) === before[i])
    ))).every(Boolean);
  if (!same) throw new CommandError(`${file}: the edited file would not read back; left unchanged`);
}

export const ENCRYPT_HELP = `Usage: easy-oauth encrypt <config.yaml>

Encrypts secret_key, client_id and client_secret in place, the way serieux does
(~CRYPT~ values), keeping comments, order and every other value as they are.
Values already encrypted are left alone. The password comes from SERIEUX_PASSWORD,
else EASY_OAUTH_PASSWORD, else a prompt on the terminal.
`;

/** Runs `encrypt`; returns the exit status. */
export async function encryptCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs("encrypt", args, {}, { min: 1, max: 1 });
  if (parsed.help) {
    io.stdout(ENCRYPT_HELP);
    return 0;
  }
  const file = parsed.positionals[0]!; // exactly one, checked above
  const text = await readConfigText(file);
  const doc = parseYamlDocument(text, file);
  const pending: { key: string; node: ScalarEdit["node"] }[] = [];
  for (const key of SECRET_KEYS) {
    const found = topLevelScalars(doc, key);
    if (!found) continue;
    const bad = found.others + found.scalars.filter((n) => typeof n.value !== "string").length;
    if (bad > 0) throw new CommandError(`${file}: ${key}: must be a string or a list of strings`);
    for (const node of found.scalars) {
      if (!isEncrypted(node.value)) pending.push({ key, node });
    }
  }
  if (pending.length === 0) {
    io.stderr(`${file}: nothing to encrypt\n`);
    return 0;
  }
  const password = await getPassword(io, { confirm: true });
  if (password === undefined) {
    throw new CommandError("no password: set SERIEUX_PASSWORD (or run on a terminal to be asked)");
  }
  const edits = await Promise.all(
    pending.map(async ({ node }) => ({ node, text: await encryptValue(node.value, password) })),
  );
  const edited = applyEdits(text, edits);
  await checkReadsBack(edited, doc, file, password);
  const mode = (await stat(file)).mode & 0o777;
  await atomicWrite(file, edited, mode);
  const keys = [...new Set(pending.map((p) => p.key))].join(", ");
  io.stderr(`${file}: encrypted ${keys}\n`);
  return 0;
}
