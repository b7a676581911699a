// Safe YAML reading shared by the capability file and configuration files.
import { type Document, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigError } from "./errors.ts";

/** Files larger than this are refused before parsing. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Aliases that may be expanded in one document ("billion laughs" guard). */
const MAX_ALIAS_COUNT = 100;
/** Longest duplicate key quoted in a message. */
const MAX_KEY_IN_MESSAGE = 80;

/**
 * Parses YAML text with the core schema, no custom tags and bounded alias
 * expansion, keeping comments (the `Document` can be edited and written back).
 * Every parser error or warning (an unknown tag, a duplicate key) is a
 * `ConfigError` naming the file, the line and column, and quoting the line.
 */
export function parseYamlDocument(text: string, file?: string): Document {
  if (new TextEncoder().encode(text).byteLength > MAX_YAML_BYTES) {
    throw new ConfigError(`file is larger than ${MAX_YAML_BYTES} bytes`, { file });
  }
  // `uniqueKeys: true` compares each key with every earlier one (quadratic:
  // seconds for 10,000 accounts); `duplicateKey` does the same check in one pass.
  const doc = parseDocument(text, {
    schema: "core",
    customTags: [],
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: false,
  });
  const error = doc.errors[0];
  if (error) throw invalid(error.message, text, error.pos[0], file);
  const duplicate = duplicateKey(doc);
  if (duplicate !== undefined) {
    const message = `Map keys must be unique (${quoteKey(duplicate.key)} appears twice)`;
    throw invalid(message, text, duplicate.offset, file);
  }
  const warning = doc.warnings[0];
  if (warning) throw invalid(warning.message, text, warning.pos[0], file);
  return doc;
}

/** Longest part of the offending line quoted in a message. */
const MAX_LINE_IN_MESSAGE = 120;

/** `invalid YAML: <what> (line L, column C: "<the line>")`, lines and columns from 1. */
function invalid(message: string, text: string, offset: number, file: string | undefined) {
  const at = Math.max(0, Math.min(offset, text.length));
  const start = text.lastIndexOf("\n", at - 1) + 1;
  const end = text.indexOf("\n", at);
  const line = text.slice(0, start).split("\n").length;
  const column = at - start + 1;
  let source = text.slice(start, end === -1 ? undefined : end).replace(/\r$/, "");
  if (source.length > MAX_LINE_IN_MESSAGE) source = `${source.slice(0, MAX_LINE_IN_MESSAGE)}…`;
  // The parser's first sentence, without its own (offset-based) position.
  const what = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  const where = at >= text.length && source === ""
    ? `at the end of the file, line ${line}`
    : `line ${line}, column ${column}: ${JSON.stringify(source)}`;
  return new ConfigError(`invalid YAML: ${what} (${where})`, { file });
}

function quoteKey(value: unknown): string {
  const text = JSON.stringify(String(value));
  return text.length > MAX_KEY_IN_MESSAGE ? `${text.slice(0, MAX_KEY_IN_MESSAGE)}…"` : text;
}

/**
 * The value of the first key that appears twice in one mapping, if any, and
 * where its second occurrence starts. Keys are equal as `yaml`'s own check has
 * them: scalars by value, other nodes (collections, aliases) only when they are
 * the same node.
 */
function duplicateKey(doc: Document): { key: unknown; offset: number } | undefined {
  // An explicit stack: a hostile, deeply nested file cannot overflow the call stack here.
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const range = (pair.key as { range?: [number, number, number] } | null)?.range;
          return { key, offset: range?.[0] ?? 0 };
        }
        seen.add(key);
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isPair(node)) {
      // A single-pair mapping inside a flow sequence (`[a: 1]`).
      stack.push(node.key, node.value);
    }
  }
  return undefined;
}

/** Converts a parsed document to plain values, with alias expansion bounded. */
export function yamlToJs(doc: Document, file?: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    throw new ConfigError("too many YAML aliases (a resource exhaustion attack?)", {
      file,
      cause,
    });
  }
}

/** Parses YAML text to plain values, safely (see `parseYamlDocument`). */
export function parseYaml(text: string, file?: string): unknown {
  return yamlToJs(parseYamlDocument(text, file), file);
}
