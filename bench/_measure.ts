// Timing loops: cases measured side by side (interleaved rounds, so that a
// drift of the machine hits every case alike) and compared round by round.

/** One thing to time: an operation run many times in a row. */
export interface Case {
  name: string;
  /** One operation; it throws when the answer is wrong, so that a failure cannot look fast. */
  run: () => Promise<unknown>;
  /** The case this one is compared with (by name); none: the first case. */
  baseline?: string;
}

/** How long to measure. */
export interface CompareOptions {
  /** Rounds; each times every case once. */
  rounds: number;
  /** Operations per case and round. */
  batch: number;
  /** Operations per case before the first round (JIT, caches). */
  warmup: number;
}

/** What {@link compare} found for one case. */
export interface Timing {
  /** Median time of one operation, in microseconds. */
  us: number;
  /** Median, over rounds, of this case's time over its baseline's time in the same round. */
  ratio: number;
  /** Relative spread of the per-round ratios (interquartile range over median). */
  spread: number;
}

/** The median of `values` (which it sorts). */
export function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const at = (values.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return values[low] + (values[high] - values[low]) * (at - low);
}

async function batch(run: () => Promise<unknown>, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run();
  return ((performance.now() - start) * 1000) / count;
}

/**
 * Times every case, in rounds whose order rotates, and compares each with its
 * baseline round by round.
 *
 * @throws {Error} When a baseline names no case.
 */
export async function compare(
  cases: readonly Case[],
  options: CompareOptions,
): Promise<Map<string, Timing>> {
  for (const c of cases) await batch(c.run, options.warmup);
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + round) % cases.length;
      times[i].push(await batch(cases[i].run, options.batch));
    }
  }
  const result = new Map<string, Timing>();
  cases.forEach((c, i) => {
    const base = c.baseline === undefined ? 0 : cases.findIndex((b) => b.name === c.baseline);
    if (base === -1) throw new Error(`no case named ${c.baseline}`);
    const ratios = times[i].map((t, round) => t / times[base][round]);
    const spread = (quantile(ratios, 0.75) - quantile(ratios, 0.25)) / median(ratios);
    result.set(c.name, { us: median([...times[i]]), ratio: median(ratios), spread });
  });
  return result;
}

/**
 * The median duration of `count` runs of `run(i)`, one at a time, in
 * milliseconds; past `budgetMs`, it stops after three runs or more, so that a
 * slow operation cannot make the whole bench slow.
 */
export async function medianMs(
  count: number,
  run: (i: number) => Promise<unknown>,
  budgetMs = Infinity,
): Promise<{ ms: number; runs: number }> {
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
    if (times.length >= 3 && performance.now() > end) break;
  }
  return { ms: median(times), runs: times.length };
}

/** How long `run` takes, in milliseconds. */
export async function elapsedMs(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}
