// A key's value with its path, so that every check can name where a problem is.
import type { ConfigPath, readSection } from "./_checks.ts";

type Section = ReturnType<typeof readSection>;

/** A value and where it sits. */
export type Entry = { value: unknown; path: ConfigPath };

/** The value at `name` (with its path) when present. */
export function field(section: Section, name: string, path: ConfigPath): Entry | undefined {
  const entry = section.get(name);
  return entry && { value: entry.value, path: [...path, entry.key] };
}
