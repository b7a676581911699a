// Editing one account's list in a YAML document, shared by the two ways the
// capability file is edited (spliced lines, whole document).
import { type Document, isScalar, isSeq, type ToStringOptions } from "yaml";

/** How capability files are written: `[]` and `[read, write]`, as the Python package writes them. */
export const SERIALIZE: ToStringOptions = { flowCollectionPadding: false };

/** The list node for `capabilities`, reusing the old node and its items (and their comments). */
export function listNode(doc: Document, old: unknown, capabilities: readonly string[]): unknown {
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
