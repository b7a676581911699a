// Lists of capability names as stores keep them: copied and frozen, so that
// a value handed out can be shared by every reader and never changes.

/** A frozen copy of `value`, which must be a list of strings. */
export function frozenList(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new TypeError(`${what} must be a list of capability names (strings)`);
  }
  return Object.freeze([...value]);
}

/** `frozenList`, letting `undefined` (delete the account) through. */
export function frozenUpdate(value: unknown): readonly string[] | undefined {
  return value === undefined ? undefined : frozenList(value, "The value returned by update()");
}

/** Whether two stored values hold the same names in the same order. */
export function sameList(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
