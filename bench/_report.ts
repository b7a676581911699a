// The bench's figures as one table (for the terminal and PERFORMANCE.md) and
// as JSON (bench/results.json).

/** One line of the table. */
export interface Figure {
  /** A stable key, e.g. `in_process.bearer`. */
  id: string;
  /** What was measured, for people. */
  label: string;
  /** The figure the target is about (a ratio, ms, µs…). */
  value: number;
  unit: "ratio" | "ms" | "µs" | "/s";
  /** The measurement behind it, e.g. `6.02 µs vs 4.31 µs`. */
  detail?: string;
  /** The target, for people, e.g. `≤ 1.25×`. */
  target?: string;
  /** Whether the target is met (absent: no target). */
  pass?: boolean;
  /** Why the figure cannot be trusted, if it cannot. */
  invalid?: string;
}

/** A titled group of figures. */
export interface Section {
  title: string;
  figures: Figure[];
}

/** `1.23×`, `12.3 ms`, `0.41 µs`. */
export function formatValue(value: number, unit: Figure["unit"]): string {
  if (Number.isNaN(value)) return "—";
  if (unit === "ratio") return `${value.toFixed(2)}×`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString("en-US", { maximumFractionDigits: digits })} ${unit}`;
}

function verdict(figure: Figure): string {
  if (figure.invalid) return `INVALID: ${figure.invalid}`;
  if (figure.pass === undefined) return "";
  return figure.pass ? "met" : "MISSED";
}

/** The table, in Markdown (which also reads well in a terminal). */
export function table(sections: readonly Section[]): string {
  const lines = [
    "| figure | measured | detail | target | result |",
    "| --- | ---: | --- | --- | --- |",
  ];
  for (const section of sections) {
    lines.push(`| **${section.title}** | | | | |`);
    for (const f of section.figures) {
      const cells = [f.label, formatValue(f.value, f.unit), f.detail ?? "", f.target ?? ""];
      lines.push(`| ${[...cells, verdict(f)].join(" | ")} |`);
    }
  }
  return lines.join("\n");
}

/** Every figure that has a target and misses it, or cannot be trusted. */
export function missed(sections: readonly Section[]): Figure[] {
  return sections.flatMap((s) => s.figures).filter((f) => f.pass === false || f.invalid);
}
