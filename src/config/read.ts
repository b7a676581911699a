// Reads a configuration file safely: size checked before reading, YAML parsed
// with the core schema and bounded aliases (see _yaml.ts).
import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Document } from "yaml";
import { ConfigError } from "../errors.ts";
import { MAX_YAML_BYTES, parseYamlDocument } from "../_yaml.ts";

/** A path or a `file:` URL as the path to open and the name to show in messages. */
export function filePath(source: string | URL): string {
  if (typeof source === "string") return source;
  if (source.protocol !== "file:") {
    throw new TypeError(`"source" must be a path or a file: URL, not a ${source.protocol} URL`);
  }
  return fileURLToPath(source);
}

function code(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/**
 * The text of a configuration file.
 *
 * @throws {ConfigError} When it is missing, not a file, or larger than 1 MiB.
 */
export async function readConfigText(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new ConfigError("is not a file", { file });
    // Checked before reading, so that a huge file is never loaded whole.
    if (info.size > MAX_YAML_BYTES) {
      throw new ConfigError(`file is larger than ${MAX_YAML_BYTES} bytes`, { file });
    }
    return await readFile(file, "utf8");
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    if (code(cause) === "ENOENT") throw new ConfigError("file not found", { file, cause });
    throw new ConfigError(`cannot read the file (${code(cause) ?? "error"})`, { file, cause });
  }
}

/** The parsed YAML document of a configuration file, comments kept. */
export async function readConfigDocument(file: string): Promise<Document> {
  return parseYamlDocument(await readConfigText(file), file);
}
