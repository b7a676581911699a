// `easy-oauth decrypt config.yaml`: prints the file with its encrypted values
// opened. It never writes the file: plaintext secrets go to stdout only.
import { isScalar, type Scalar, visit } from "yaml";
import { decryptValue, isEncrypted } from "../src/config/serieux_crypt.ts";
import { ConfigError } from "../src/errors.ts";
import { readConfigText } from "../src/config/read.ts";
import { parseYamlDocument } from "../src/_yaml.ts";
import { applyEdits, renderValue } from "./_yaml_edit.ts";
import { type CliIO, CommandError, getPassword } from "./_io.ts";
import { parseCommandArgs } from "./_args.ts";

export const DECRYPT_HELP = `Usage: easy-oauth decrypt <config.yaml>

Prints the configuration file with every encrypted (~CRYPT~) value decrypted.
The file itself is not changed. The password comes from SERIEUX_PASSWORD, else
EASY_OAUTH_PASSWORD, else a prompt on the terminal.
`;

/** Runs `decrypt`; returns the exit status. */
export async function decryptCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs("decrypt", args, {}, { min: 1, max: 1 });
  if (parsed.help) {
    io.stdout(DECRYPT_HELP);
    return 0;
  }
  const file = parsed.positionals[0]!; // exactly one, checked above
  const text = await readConfigText(file);
  const doc = parseYamlDocument(text, file);
  const nodes: { node: Scalar; path: string }[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key !== "key" && isEncrypted(node.value)) nodes.push({ node, path: pathOf(path) });
    },
  });
  if (nodes.length === 0) {
    io.stdout(text);
    return 0;
  }
  const password = await getPassword(io);
  if (password === undefined) {
    throw new CommandError("no password: set SERIEUX_PASSWORD (or run on a terminal to be asked)");
  }
  const settled = await Promise.allSettled(
    nodes.map(async ({ node }) => ({
      node,
      text: renderValue(await decryptValue(node.value as string, password)),
    })),
  );
  // The first failure in file order, whichever finished first.
  const edits = settled.map((result, i) => {
    if (result.status === "fulfilled") return result.value;
    if (!(result.reason instanceof ConfigError)) throw result.reason;
    throw new CommandError(`${file}: ${nodes[i]!.path}: ${result.reason.problem}`);
  });
  io.stdout(applyEdits(text, edits));
  return 0;
}

/** The dotted key path of a visited node, from the visitor's ancestry. */
function pathOf(ancestry: readonly unknown[]): string {
  const keys: string[] = [];
  for (const node of ancestry) {
    const key = (node as { key?: unknown }).key;
    if (isScalar(key)) keys.push(String(key.value));
  }
  return keys.join(".") || "(value)";
}
