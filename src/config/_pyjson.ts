// Python's `json.dumps(value)` with its default options (separators ", " and
// ": ", ensure_ascii=True), so that a value encrypted here carries exactly the
// plaintext that serieux would have encrypted.

/** Python's `repr(float)`: shortest round-trip digits, exponent outside [1e-4, 1e16). */
function pythonFloat(value: number): string {
  if (Object.is(value, -0)) return "-0.0";
  const [mantissa = "", exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${digits[0]}${fraction}e${expSign}${
      String(Math.abs(exponent)).padStart(2, "0")
    }`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1) || "0";
  return `${sign}${whole}.${fraction}`;
}

function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`cannot encode ${value} as JSON`);
  }
  // A JavaScript number does not say whether it was an int or a float in
  // Python; a safe integer is taken as an int, anything else as a float.
  return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloat(value);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** Python's `encode_basestring_ascii`: everything outside printable ASCII as `\uxxxx`. */
function pythonString(value: string): string {
  let out = '"';
  // Code units, not code points: Python writes astral characters as surrogate pairs too.
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = value.charCodeAt(i);
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Serializes `value` exactly as Python's `json.dumps(value)` would.
 *
 * @throws {TypeError} For values JSON cannot hold (undefined, functions,
 * non-finite numbers, class instances).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return pythonNumber(value);
    case "bigint":
      return value.toString();
    case "string":
      return pythonString(value);
    case "object":
      if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
      if (isPlainObject(value)) {
        const items = Object.entries(value).map(([k, v]) =>
          `${pythonString(k)}: ${pythonJsonDumps(v)}`
        );
        return `{${items.join(", ")}}`;
      }
  }
  throw new TypeError(`cannot encode a value of type ${typeof value} as JSON`);
}
