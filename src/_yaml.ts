// Safe YAML reading shared by the capability file and configuration files.
import { type Document, parseDocument } from "yaml";
import { ConfigError } from "./errors.ts";

/** Files larger than this are refused before parsing. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Aliases that may be expanded in one document ("billion laughs" guard). */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML text with the core schema, no custom tags and bounded alias
 * expansion, keeping comments (the `Document` can be edited and written back).
 * Every parser error or warning (an unknown tag, a duplicate key) is a
 * `ConfigError` naming the file.
 */
export function parseYamlDocument(text: string, file?: string): Document {
  if (new TextEncoder().encode(text).byteLength > MAX_YAML_BYTES) {
    throw new ConfigError(`file is larger than ${MAX_YAML_BYTES} bytes`, { file });
  }
  const doc = parseDocument(text, {
    schema: "core",
    customTags: [],
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: false,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    throw new ConfigError(`invalid YAML: ${problem.message.split("\n")[0]}`, { file });
  }
  return doc;
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
