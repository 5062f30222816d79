/**
 * The latency histogram of the rollups: bucket i holds durations in [2^(i/2), 2^((i+1)/2)) ms
 * (SQL function insight_latency_bucket in the rollup migration), so counts of any intervals add up
 * and a percentile is read within one bucket: at most ~19% from the exact value either way.
 */
export function percentileSeconds(counts: ReadonlyMap<number, number>, q: number): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const i of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(i)!;
    // The geometric middle of the bucket: the estimate with the smallest relative error.
    if (seen >= rank) return Math.round(2 ** ((i + 0.5) / 2) * 100) / 100_000;
  }
  return null;
}
