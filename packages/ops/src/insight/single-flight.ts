export interface SingleFlightOptions {
  /** How long a settled answer is handed to later callers too; a failure never is. @defaultValue 0 (only while it runs) */
  reuseMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Runs `work` once for all callers asking for the same `key` while it runs and, with `reuseMs`,
 * for that long after it succeeded. Insight answers depend only on the range, whose intervals are
 * aligned, so forty viewers opening the same view at once cost one query, not forty.
 */
export function singleFlight(opts: SingleFlightOptions = {}): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const reuseMs = opts.reuseMs ?? 0;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { value: Promise<unknown>; until: number }>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const cur = entries.get(key);
    if (cur && cur.until > now()) return cur.value as Promise<T>;
    const entry = { value: work() as Promise<unknown>, until: Number.POSITIVE_INFINITY };
    entries.set(key, entry);
    const forget = () => {
      if (entries.get(key) === entry) entries.delete(key);
    };
    const reuse = () => {
      entry.until = now() + reuseMs;
      // Keys carry the range's start, so old ones are never asked for again: drop them, not keep them.
      setTimeout(forget, reuseMs).unref();
    };
    entry.value.then(reuseMs > 0 ? reuse : forget, forget);
    return entry.value as Promise<T>;
  };
}
