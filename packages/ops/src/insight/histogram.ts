/**
 * The latency histogram of the rollups: bucket i holds durations in [2^(i/2), 2^((i+1)/2)) ms
 * (SQL function insight_latency_bucket in the rollup migration), so counts of any intervals add up
 * and a percentile is read within one bucket: at most ~19% from the exact value either way.
 */
export function percentileSeconds(counts: ReadonlyMap<number, number>, q: number): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return total === 0 ? null : secondsAtRank(counts, Math.max(1, Math.ceil(q * total)));
}

/**
 * The median as percentile_cont(0.5) takes it (the mean of the middle two of an even count), each
 * of them read within its bucket as {@link percentileSeconds} does.
 */
export function medianSeconds(counts: ReadonlyMap<number, number>): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  if (total % 2 === 1) return secondsAtRank(counts, (total + 1) / 2);
  return Math.round(((secondsAtRank(counts, total / 2) + secondsAtRank(counts, total / 2 + 1)) / 2) * 100_000) / 100_000;
}

function secondsAtRank(counts: ReadonlyMap<number, number>, rank: number): number {
  let seen = 0;
  let last = 0;
  for (const i of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(i)!;
    last = i;
    if (seen >= rank) break;
  }
  // The geometric middle of the bucket: the estimate with the smallest relative error.
  return Math.round(2 ** ((last + 0.5) / 2) * 100) / 100_000;
}
