// JSON.parse keeps the last of duplicate keys without a word; the management
// schemas are strict, so a body that names a field twice is refused (two
// parsers could read it differently). No well-kept library reports duplicates
// in plain JSON (the YAML parser does, but accepts more than JSON), hence this
// scanner, run only on text that JSON.parse has already accepted.

/** The first key named twice in one object of `json` (valid JSON), or `undefined`. */
export function duplicateKey(json: string): string | undefined {
  // One entry per open container: the keys seen for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (char === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const keys = open.at(-1);
      if (expectKey && keys) {
        const key: string = JSON.parse(json.slice(i, end + 1));
        if (keys.has(key)) return key;
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (char === "{" || char === "[") {
      open.push(char === "{" ? new Set() : null);
      expectKey = char === "{";
    } else if (char === "}" || char === "]") {
      open.pop();
      expectKey = false;
    } else if (char === ",") {
      expectKey = Boolean(open.at(-1));
    }
  }
  return undefined;
}
