// The capability file, in the format of the Python package:
//
//   your-email@you.com:
//     - admin
//   hateful-being@cornhole.co: []
//
// Read into a Map (emails such as "__proto__" are plain keys) and edited in
// its YAML Document, so that hand-written comments and order survive writes.
import { type Document, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import { parseYamlDocument, yamlToJs } from "../_yaml.ts";
import { ConfigError } from "../errors.ts";
import { sameList } from "./_lists.ts";

/** The accounts of a capability file, email → capability names, in file order. */
export type Users = ReadonlyMap<string, readonly string[]>;

/** A parsed capability file: the editable document and the accounts it holds. */
export interface CapsFile {
  doc: Document;
  users: Users;
}

/**
 * Parses a capability file. An empty file (or one holding only comments) has
 * no accounts.
 *
 * @throws {ConfigError} Naming the file (and the account) on bad YAML or a bad shape.
 */
export function parseCapsFile(text: string, file: string): CapsFile {
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

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

function keyOf(pair: Pair): string {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

/** The list node for `capabilities`, reusing the old node and its items (and their comments). */
function listNode(doc: Document, old: unknown, capabilities: readonly string[]): unknown {
  if (!isSeq(old) || old.anchor) return doc.createNode([...capabilities]);
  const pool = [...old.items];
  const items = capabilities.map((name) => {
    const index = pool.findIndex((item) => isScalar(item) && item.value === name);
    return index === -1 ? doc.createNode(name) : pool.splice(index, 1)[0];
  });
  // `x: []` is a flow sequence; once it has items, write them in the upstream block style.
  if (old.items.length === 0) old.flow = false;
  old.items = items;
  return old;
}

/**
 * The text of the file with one account set to `capabilities` (or removed),
 * checked by parsing it back: what would not read as `expected` is not written.
 *
 * @throws {ConfigError} When the edit cannot be made safely (e.g. YAML anchors shared by accounts).
 */
export function editedText(
  parsed: CapsFile,
  email: string,
  capabilities: readonly string[] | undefined,
  expected: Users,
  file: string,
): string {
  const { doc } = parsed;
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as Node;
  const map = doc.contents as YAMLMap;
  const index = map.items.findIndex((pair) => keyOf(pair) === email);
  if (capabilities === undefined) {
    if (index !== -1) map.items.splice(index, 1);
  } else if (index === -1) {
    map.items.push(doc.createPair(email, [...capabilities]));
  } else {
    map.items[index].value = listNode(doc, map.items[index].value, capabilities);
  }
  const text = writtenText(doc, file, expected);
  if (text === undefined) {
    throw new ConfigError("cannot change this account without changing others (YAML anchors?)", {
      file,
      path: [email],
    });
  }
  return text;
}

/** The document's text, if it reads back as `expected`. */
function writtenText(doc: Document, file: string, expected: Users): string | undefined {
  try {
    const text = doc.toString({ flowCollectionPadding: false });
    return sameUsers(parseCapsFile(text, file).users, expected) ? text : undefined;
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
