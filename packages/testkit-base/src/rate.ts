/** Most requests seen in any one-second window ending at a request, as AITable's sliding window counts. */
export function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** `maxPerSecond` of each datasheet's requests (`at` of requests naming a `datasheetId`), the highest of them. */
export function maxPerSecondPerDatasheet(requests: readonly { datasheetId?: string; at: number }[]): number {
  const byDatasheet = new Map<string, number[]>();
  for (const r of requests) if (r.datasheetId) byDatasheet.set(r.datasheetId, [...(byDatasheet.get(r.datasheetId) ?? []), r.at]);
  return Math.max(0, ...[...byDatasheet.values()].map(maxPerSecond));
}
