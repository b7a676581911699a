// The capability file, in the format of the Python package:
//
//   your-email@you.com:
//     - admin
//   hateful-being@cornhole.co: []
//
// Read into a Map (emails such as "__proto__" are plain keys) and edited as
// text, so that hand-written comments and order survive writes: by splicing
// the changed account's lines when the file allows it (`_caps_layout.ts`),
// else through the whole YAML Document, re-read to check the result.
import { type Document, isMap, isScalar, type Node, type Pair, type YAMLMap } from "yaml";
import { parseYamlDocument, yamlToJs } from "../_yaml.ts";
import { ConfigError } from "../errors.ts";
import { type Layout, layoutOf, splicedEdit } from "./_caps_layout.ts";
import { listNode, SERIALIZE } from "./_caps_nodes.ts";
import { sameList } from "./_lists.ts";

/** The accounts of a capability file, email → capability names, in file order. */
export type Users = ReadonlyMap<string, readonly string[]>;

/** A capability file as read or written: its text, its accounts, and how to splice it. */
export interface CapsFile {
  readonly text: string;
  readonly users: Users;
  /** `undefined` when edits must go through the whole document. */
  readonly layout: Layout | undefined;
}

/**
 * Parses a capability file. An empty file (or one holding only comments) has
 * no accounts.
 *
 * @throws {ConfigError} Naming the file (and the account) on bad YAML or a bad shape.
 */
export function parseCapsFile(text: string, file: string): CapsFile {
  const { doc, users } = parseDoc(text, file);
  return { text, users, layout: layoutOf(text, doc, users.size) };
}

function parseDoc(text: string, file: string): { doc: Document; users: Users } {
  const doc = parseYamlDocument(text, file);
  const value = yamlToJs(doc, file);
  if (value === null || value === undefined) return { doc, users: new Map() };
  if (typeof value !== "object" || Array.isArray(value) || !isMap(doc.contents)) {
    throw new ConfigError("must be a mapping of emails to lists of capabilities", { file });
  }
  const users = new Map<string, readonly string[]>();
  for (const [email, capabilities] of Object.entries(value)) {
    users.set(email, Object.freeze(capabilityList(capabilities, email, file)));
  }
  return { doc, users };
}

function capabilityList(value: unknown, email: string, file: string): string[] {
  if (!Array.isArray(value)) {
    throw new ConfigError('must be a list of capabilities (write "[]" for none)', {
      file,
      path: [email],
    });
  }
  const index = value.findIndex((item) => typeof item !== "string");
  if (index !== -1) {
    throw new ConfigError(`item ${index + 1} is ${kindOf(value[index])}, not a capability name`, {
      file,
      path: [email],
    });
  }
  return value;
}

/** The line (from 1) where `email`'s account starts in the file's text, if it is there. */
export function accountLine(text: string, email: string): number | undefined {
  let doc: Document;
  try {
    doc = parseYamlDocument(text);
  } catch {
    return undefined;
  }
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((item) => keyOf(item) === email);
  const offset = (pair?.key as Node | null | undefined)?.range?.[0];
  return offset === undefined ? undefined : text.slice(0, offset).split("\n").length;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

function keyOf(pair: Pair): string {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

/**
 * The file with one account set to `capabilities` (or removed): what reads
 * back as anything but the accounts intended is not returned.
 *
 * @throws {ConfigError} When the edit cannot be made safely (e.g. YAML anchors shared by accounts).
 */
export function editCapsFile(
  parsed: CapsFile,
  email: string,
  capabilities: readonly string[] | undefined,
  file: string,
): CapsFile {
  const users = new Map(parsed.users);
  if (capabilities === undefined) users.delete(email);
  else users.set(email, capabilities);
  const spliced = parsed.layout && splicedEdit(parsed.layout, email, capabilities);
  if (spliced) return { text: spliced.text, users, layout: spliced.layout };
  const edited = wholeEdit(parsed.text, email, capabilities, users, file);
  if (edited === undefined) {
    throw new ConfigError("cannot change this account without changing others (YAML anchors?)", {
      file,
      path: [email],
    });
  }
  return edited;
}

/** The edit through the whole document, if the written text reads back as `expected`. */
function wholeEdit(
  text: string,
  email: string,
  capabilities: readonly string[] | undefined,
  expected: Users,
  file: string,
): CapsFile | undefined {
  const { doc } = parseDoc(text, file);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as Node;
  const map = doc.contents as YAMLMap;
  const index = map.items.findIndex((pair) => keyOf(pair) === email);
  if (capabilities === undefined) {
    if (index !== -1) map.items.splice(index, 1);
  } else if (index === -1) {
    map.items.push(doc.createPair(email, [...capabilities]));
  } else {
    const pair = map.items[index]!;
    pair.value = listNode(doc, pair.value, capabilities);
  }
  try {
    const written = parseCapsFile(doc.toString(SERIALIZE), file);
    return sameUsers(written.users, expected) ? { ...written, users: expected } : undefined;
  } catch {
    // An alias whose anchor went away cannot even be written.
    return undefined;
  }
}

function sameUsers(a: Users, b: Users): boolean {
  if (a.size !== b.size) return false;
  for (const [email, list] of a) if (!b.has(email) || !sameList(list, b.get(email))) return false;
  return true;
}
