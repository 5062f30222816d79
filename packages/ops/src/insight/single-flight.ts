/**
 * Runs `work` once for all callers asking for the same `key` while it runs, and forgets it when it
 * settles (no caching). Insight answers depend only on the range, whose intervals are aligned, so
 * forty viewers opening the same view at once cost one query, not forty.
 */
export function singleFlight(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const cur = running.get(key);
    if (cur) return cur as Promise<T>;
    const p = work().finally(() => running.delete(key));
    running.set(key, p);
    return p;
  };
}
