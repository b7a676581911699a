// The capability file cut into one piece of text per account, so that a write
// splices the changed account's lines into the file instead of writing the
// whole document again (tens of milliseconds for 10,000 accounts), and the
// check that the result reads back as intended parses only those lines.
//
// That check is sound only on files where the accounts cannot reach into each
// other, which `layoutOf` makes sure of: one block mapping whose keys (strings)
// all start at column 0; nothing but blank and comment lines between two
// accounts; no anchors or aliases (one account's list shared by another); no
// block scalars (`|`, `>`: they would swallow the comment lines that follow).
// Then each account is exactly its own lines: a line at column 0 that reads as
// a key always starts the next account, whatever the account before held.
// Other files take the slow path (`editedText` in `_caps_file.ts`).
import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type YAMLMap,
} from "yaml";
import { parseYamlDocument } from "../_yaml.ts";
import { listNode, SERIALIZE } from "./_caps_nodes.ts";
import { sameList } from "./_lists.ts";

/** One account: its lines, and the blank or comment lines just above them. */
interface Entry {
  readonly email: string;
  readonly lead: string;
  readonly body: string;
}

/** A capability file as pieces: `head`, each entry's `lead` and `body`, `tail`. */
export interface Layout {
  /** Everything before the first account (comments, `---`, directives). */
  readonly head: string;
  readonly entries: readonly Entry[];
  /** Blank and comment lines after the last account. */
  readonly tail: string;
  /** Email → index in `entries`. */
  readonly positions: ReadonlyMap<string, number>;
}

/** A file edited by splicing: its new text and layout. */
export interface Spliced {
  text: string;
  layout: Layout;
}

const DATA_FREE_LINE = /^[ \t\r]*(?:#.*)?$/;

/** Whether `text` holds only blank lines and comment lines. */
function dataFree(text: string): boolean {
  return text === "" || text.split("\n").every((line) => DATA_FREE_LINE.test(line));
}

/** Whether no node under `node` has an anchor, is an alias, or is a block scalar. */
function plainTree(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const item = stack.pop();
    if (isAlias(item)) return false;
    if (isScalar(item)) {
      if (item.anchor || item.type === "BLOCK_LITERAL" || item.type === "BLOCK_FOLDED") {
        return false;
      }
    } else if (isCollection(item)) {
      if (item.anchor) return false;
      for (const child of item.items) stack.push(child);
    } else if (isPair(item)) {
      stack.push(item.key, item.value);
    }
  }
  return true;
}

/** The end of the line holding `offset - 1`, if the rest of that line is blank or a comment. */
function lineEnd(text: string, offset: number): number | undefined {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const newline = text.indexOf("\n", offset);
  const end = newline === -1 ? text.length : newline;
  if (!DATA_FREE_LINE.test(text.slice(offset, end))) return undefined;
  return newline === -1 ? end : end + 1;
}

/**
 * The layout of a parsed capability file, or `undefined` when the file is not
 * one that splicing can edit safely (see the top of this file).
 *
 * @param accounts How many accounts the parse found.
 */
export function layoutOf(text: string, doc: Document, accounts: number): Layout | undefined {
  const map = doc.contents;
  if (map === null) return { head: text, entries: [], tail: "", positions: new Map() };
  if (!isMap(map) || map.flow || !plainTree(map)) return undefined;
  const entries: Entry[] = [];
  const positions = new Map<string, number>();
  let head = "";
  let end = 0;
  for (const { key, value } of map.items) {
    if (!isScalar(key) || typeof key.value !== "string" || !key.range) return undefined;
    if (!isSeq(value) || !value.range) return undefined;
    const start = key.range[0];
    if (start > 0 && text[start - 1] !== "\n") return undefined;
    const lead = text.slice(end, start);
    if (entries.length === 0) head = lead;
    else if (!dataFree(lead)) return undefined;
    const bodyEnd = lineEnd(text, value.range[1]);
    if (bodyEnd === undefined) return undefined;
    end = bodyEnd;
    positions.set(key.value, entries.length);
    entries.push({
      email: key.value,
      lead: entries.length === 0 ? "" : lead,
      body: text.slice(start, end),
    });
  }
  const tail = text.slice(end);
  if (!dataFree(tail) || positions.size !== accounts) return undefined;
  return { head, entries, tail, positions };
}

/** What goes before the accounts when the new body is read back alone. */
function context(layout: Layout): string {
  const { head } = layout;
  return head === "" || head.endsWith("\n") ? head : head + "\n";
}

/** The lead a new last entry needs so that it starts on a line of its own. */
function appendLead(layout: Layout): string {
  const last = layout.entries.at(-1);
  const before = last === undefined ? layout.head : last.body;
  return before === "" || before.endsWith("\n") ? "" : "\n";
}

/**
 * The lines of one account alone, `email:` and its list, reusing the nodes and
 * comments of its current lines `body`.
 */
function bodyText(body: string | undefined, email: string, next: readonly string[]): string {
  if (body === undefined) {
    const doc = new Document({});
    (doc.contents as YAMLMap).items.push(doc.createPair(email, [...next]));
    return doc.toString(SERIALIZE);
  }
  const doc = parseYamlDocument(body);
  const map = doc.contents;
  if (!isMap(map) || map.items.length !== 1) throw new Error("not one account");
  const pair = map.items[0]!;
  if (!isScalar(pair.key) || pair.key.value !== email) throw new Error("not this account");
  pair.value = listNode(doc, pair.value, next);
  return doc.toString(SERIALIZE);
}

/** Whether `body`, alone after the file's head, reads as exactly `email: next`, nothing more. */
function readsAs(layout: Layout, body: string, email: string, next: readonly string[]): boolean {
  if (!body.endsWith("\n")) return false;
  const before = context(layout);
  let doc: Document;
  try {
    doc = parseYamlDocument(before + body);
  } catch {
    return false;
  }
  const map = doc.contents;
  if (!isMap(map) || map.flow || map.items.length !== 1 || !plainTree(map)) return false;
  const { key, value } = map.items[0]!;
  if (!isScalar(key) || key.value !== email || key.range?.[0] !== before.length) return false;
  if (!isSeq(value)) return false;
  const names = value.items.map((item) => (item as Node & { value?: unknown }).value);
  return names.every((name) => typeof name === "string") && sameList(names as string[], next);
}

function assemble(head: string, entries: readonly Entry[], tail: string): Spliced {
  const parts = [head];
  for (const entry of entries) parts.push(entry.lead, entry.body);
  parts.push(tail);
  const positions = new Map(entries.map((entry, index) => [entry.email, index]));
  return { text: parts.join(""), layout: { head, entries, tail, positions } };
}

/** The comment lines at column 0 right above an account: they go when it goes. */
function detached(lead: string): string {
  const lines = lead.split("\n");
  let keep = lines.length - 1;
  while (keep > 0 && lines[keep - 1]!.startsWith("#")) keep--;
  return lines.slice(0, keep).join("\n") + (keep > 0 ? "\n" : "");
}

/**
 * The file with one account set to `next` (or removed when `undefined`), made
 * by replacing that account's lines only; `undefined` when the new lines do not
 * read back as intended on their own (the caller then edits the whole document).
 */
export function splicedEdit(
  layout: Layout,
  email: string,
  next: readonly string[] | undefined,
): Spliced | undefined {
  const index = layout.positions.get(email);
  const entries = [...layout.entries];
  if (next === undefined) {
    if (index === undefined) return assemble(layout.head, entries, layout.tail);
    const gone = entries.splice(index, 1)[0]!;
    const kept = detached(gone.lead);
    if (index === entries.length) return assemble(layout.head, entries, kept + layout.tail);
    const after = entries[index]!;
    entries[index] = { ...after, lead: kept + after.lead };
    return assemble(layout.head, entries, layout.tail);
  }
  let body: string;
  try {
    body = bodyText(index === undefined ? undefined : entries[index]!.body, email, next);
  } catch {
    return undefined;
  }
  if (!readsAs(layout, body, email, next)) return undefined;
  if (index === undefined) entries.push({ email, lead: appendLead(layout), body });
  else entries[index] = { ...entries[index]!, body };
  return assemble(layout.head, entries, layout.tail);
}
