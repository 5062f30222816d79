/**
 * AITable's limit: N requests per second per datasheet per token, over a sliding one-second window.
 * Every request that reaches the limiter counts, failed ones too; a request refused with 429 does
 * not, so a client that waits gets through once the window has slid past its earlier requests.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(public perSecond: number) {}

  /** Counts the request and says whether it is within the limit. */
  tryTake(key: string, now = Date.now()): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - 1000);
    const allowed = recent.length < this.perSecond;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    return allowed;
  }

  clear(): void {
    this.hits.clear();
  }
}
