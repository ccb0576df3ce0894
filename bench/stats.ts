// Pure numbers of the benchmark: a mergeable latency histogram with about 1 % relative precision,
// percentiles of plain samples, and rounding for the report. No I/O, so vitest can check it.

/** Bucket i holds values in (GROWTH^(i-1), GROWTH^i] microseconds; bucket 0 holds values <= 1 µs. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** 1 µs … about 110 s. Larger values land in the last bucket. */
export const HISTOGRAM_BUCKETS = 1900;

export interface Histogram {
  counts: number[];
  total: number;
  max: number;
}

export function emptyHistogram(): Histogram {
  return { counts: new Array<number>(HISTOGRAM_BUCKETS).fill(0), total: 0, max: 0 };
}

export function bucketOf(micros: number): number {
  if (!(micros > 1)) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.ceil(Math.log(micros) / LOG_GROWTH));
}

export function record(h: Histogram, micros: number): void {
  const i = bucketOf(micros);
  h.counts[i] = (h.counts[i] ?? 0) + 1;
  h.total += 1;
  if (micros > h.max) h.max = micros;
}

export function merge(into: Histogram, other: Histogram): Histogram {
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) into.counts[i] = (into.counts[i] ?? 0) + (other.counts[i] ?? 0);
  into.total += other.total;
  into.max = Math.max(into.max, other.max);
  return into;
}

/**
 * The value at quantile q (0..1) as the upper bound of its bucket, never above the recorded max:
 * an overestimate by at most 1 %. NaN for an empty histogram.
 */
export function histogramQuantile(h: Histogram, q: number): number {
  if (h.total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * h.total));
  let seen = 0;
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
    seen += h.counts[i] ?? 0;
    if (seen >= rank) return Math.min(h.max, i === 0 ? 1 : Math.pow(GROWTH, i));
  }
  return h.max;
}

/** Nearest-rank percentile of plain samples (q in 0..1). NaN when there are none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** Rounds to `digits` significant digits so the JSON and the table stay readable. */
export function sig(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}
