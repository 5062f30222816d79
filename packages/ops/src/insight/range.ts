import { ROLLUP_BUCKET_SECONDS } from '@bridge/db';
import { permanent } from '@bridge/errors';

/** The periods the insight page offers, each with the width of one chart interval. */
export const INSIGHT_RANGES = {
  '1h': { ms: 3_600_000, bucketSeconds: 300 },
  '24h': { ms: 86_400_000, bucketSeconds: 3600 },
  '7d': { ms: 7 * 86_400_000, bucketSeconds: 6 * 3600 },
  '30d': { ms: 30 * 86_400_000, bucketSeconds: 86_400 },
} as const;
export type InsightRangeName = keyof typeof INSIGHT_RANGES;

/** A period cut into equal intervals; `since` is aligned to an interval boundary, so repeated reads agree. */
export interface InsightRange {
  name: InsightRangeName;
  since: Date;
  until: Date;
  bucketSeconds: number;
  /** Start of every interval, oldest first. */
  buckets: Date[];
}

/** The widest rollup whose intervals make up the range's exactly. */
export const rollupWidth = (r: InsightRange) => Math.max(...ROLLUP_BUCKET_SECONDS.filter((w) => r.bucketSeconds % w === 0));

/** Reads `range` (1h, 24h, 7d, 30d; 24h when missing); anything else is a 400 naming the field. */
export function parseInsightRange(value: unknown, now: Date = new Date()): InsightRange {
  const name = value === undefined || value === '' ? '24h' : value;
  if (typeof name !== 'string' || !Object.hasOwn(INSIGHT_RANGES, name)) {
    const offered = Object.keys(INSIGHT_RANGES).join(', ');
    throw permanent('invalid_argument', `range must be one of ${offered}; got "${String(value).slice(0, 20)}"`, {
      httpStatus: 400,
      details: { field: 'range' },
    });
  }
  const { ms, bucketSeconds } = INSIGHT_RANGES[name as InsightRangeName];
  const step = bucketSeconds * 1000;
  // The last interval is the one now falls in; the first starts one period before its end.
  const end = Math.floor(now.getTime() / step) * step + step;
  const start = end - Math.ceil(ms / step) * step;
  const buckets = Array.from({ length: (end - start) / step }, (_, i) => new Date(start + i * step));
  return { name: name as InsightRangeName, since: new Date(start), until: new Date(end), bucketSeconds, buckets };
}

/** What a series' values are: the page draws ratios on a percent axis, counts on an integer one. */
export type SeriesUnit = 'ratio' | 'count' | 'seconds';

/** One line of a chart: a value per interval (null where there is nothing to measure: the page leaves a gap). */
export interface Series {
  name: string;
  unit: SeriesUnit;
  values: (number | null)[];
}

/** What every time-series API answers, and what the page draws. */
export interface SeriesChart {
  range: InsightRangeName;
  since: string;
  until: string;
  bucketSeconds: number;
  buckets: string[];
  series: Series[];
}

/**
 * Rows of (interval start, series name, value, unit; count when absent) laid out on the range's
 * intervals; series sorted by name. `names` are series shown even when empty.
 */
export function toChart(
  range: InsightRange,
  rows: readonly { bucket: Date; name: string; value: number | null; unit?: SeriesUnit }[],
  names: readonly string[] = [],
): SeriesChart {
  const index = new Map(range.buckets.map((b, i) => [b.getTime(), i]));
  const unitOf = new Map<string, SeriesUnit>();
  const byName = new Map<string, (number | null)[]>(names.map((n) => [n, range.buckets.map(() => null)]));
  for (const r of rows) {
    if (r.unit && !unitOf.has(r.name)) unitOf.set(r.name, r.unit);
    const i = index.get(r.bucket.getTime());
    if (i === undefined) continue;
    const values = byName.get(r.name) ?? range.buckets.map(() => null);
    values[i] = r.value;
    byName.set(r.name, values);
  }
  return {
    range: range.name,
    since: range.since.toISOString(),
    until: range.until.toISOString(),
    bucketSeconds: range.bucketSeconds,
    buckets: range.buckets.map((b) => b.toISOString()),
    series: [...byName.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, values]) => ({ name, unit: unitOf.get(name) ?? 'count', values })),
  };
}
