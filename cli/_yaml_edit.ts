// Edits of YAML source text that leave everything else byte for byte as it
// was (comments, quoting, order, blank lines): each edit replaces the source
// range of one scalar node.
import { type Document, isMap, isScalar, isSeq, parse, type Scalar } from "yaml";

/** One replacement: the node's source range and the new text. */
export interface ScalarEdit {
  readonly node: Scalar;
  readonly text: string;
}

/** Applies edits (any order) to the source the nodes were parsed from. */
export function applyEdits(source: string, edits: readonly ScalarEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.node.range![0] - a.node.range![0]);
  let out = source;
  for (const { node, text } of sorted) {
    const [start, end] = node.range!;
    // Block scalars (| and >) own their final line break; keep one.
    const newline = /\n$/.test(source.slice(start, end)) ? "\n" : "";
    out = out.slice(0, start) + text + newline + out.slice(end);
  }
  return out;
}

/**
 * The scalar value nodes under a top-level key (the node itself, or the items
 * of a sequence), with the key as written; `undefined` when absent or null.
 */
export function topLevelScalars(
  doc: Document,
  key: string,
): { scalars: Scalar[]; others: number } | undefined {
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
  const value = pair?.value;
  if (value === null || value === undefined || (isScalar(value) && value.value === null)) {
    return undefined;
  }
  if (isScalar(value)) return { scalars: [value], others: 0 };
  if (isSeq(value)) {
    const scalars = value.items.filter(isScalar);
    return { scalars, others: value.items.length - scalars.length };
  }
  return { scalars: [], others: 1 };
}

/** A value as YAML flow text that fits where a scalar was: plain when safe, else JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === "string" && /^[A-Za-z0-9_./@+-][A-Za-z0-9_ ./@+=-]*$/.test(value)) {
    // Plain only when it reads back as the same string (not "true", "1.5", "null").
    if (!value.endsWith(" ") && parse(value, { schema: "core" }) === value) return value;
  }
  return JSON.stringify(value);
}
