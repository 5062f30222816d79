import type { LimiterSlot, SlidingWindowLimiter } from './rate-limiter';

interface Waiter {
  /** Asked before each try: a batch waiting for a slot may be joined by a live call meanwhile. */
  live(): boolean;
  /** Kept for all of this waiter's tries, so its place in line across processes is kept. */
  ticket: string;
  since: number;
  resolve(slot: LimiterSlot): void;
  reject(err: unknown): void;
  /** The error to fail with when no slot can come within the longest wait. */
  gaveUp(waitedMs: number, waitMs: number): Error;
}

interface Line {
  waiters: Waiter[];
  /** Set while the line's one asker sleeps until the next slot should free. */
  wake?: () => void;
}

export interface SlotQueueOptions {
  limiter: SlidingWindowLimiter;
  /** Longest total wait of one caller before it fails. */
  maxWaitMs: number;
  /** Called before each sleep of a line. */
  onWait?(key: string, ms: number): void;
}

/**
 * The callers of one process waiting for slots of the shared limiter, in one line per key with
 * one asker: live callers first, then in arrival order. When a slot is granted the next waiter
 * asks at once (more may be free); when none is, the asker sleeps exactly until the oldest slot
 * leaves the window (what Redis answered, less the time its answer took to reach us), so no slot
 * stays free because every caller of the process was still sleeping off a jittered poll or had
 * lost the same slot to a neighbour. Redis still decides every grant: other processes ask beside
 * this line, and a live caller arriving while the asker sleeps wakes it, so its ticket goes into
 * Redis as early as before and bulk callers of every process wait behind it.
 */
export class SlotQueue {
  private readonly lines = new Map<string, Line>();

  constructor(private readonly opts: SlotQueueOptions) {}

  acquire(key: string, live: () => boolean, gaveUp: Waiter['gaveUp']): Promise<LimiterSlot> {
    return new Promise((resolve, reject) => {
      const line = this.lines.get(key);
      const waiter = { live, ticket: this.opts.limiter.ticket(), since: Date.now(), resolve, reject, gaveUp };
      if (!line) {
        const fresh: Line = { waiters: [waiter] };
        this.lines.set(key, fresh);
        void this.serve(key, fresh);
        return;
      }
      const liveAhead = line.waiters.some((w) => w.live());
      line.waiters.push(waiter);
      if (live() && !liveAhead) line.wake?.();
    });
  }

  private async serve(key: string, line: Line): Promise<void> {
    while (line.waiters.length > 0) {
      const head = line.waiters.find((w) => w.live()) ?? line.waiters[0]!;
      const asked = Date.now();
      let take: Awaited<ReturnType<SlidingWindowLimiter['tryTake']>>;
      try {
        take = await this.opts.limiter.tryTake(key, head.live() ? { priority: 'live', ticket: head.ticket } : { priority: 'bulk' });
      } catch (err) {
        // Redis failed: this caller fails with it; the next one makes its own try.
        this.remove(line, head).reject(err);
        continue;
      }
      if (take.granted) {
        this.remove(line, head).resolve(take.slot);
        continue;
      }
      const now = Date.now();
      for (const w of [...line.waiters]) {
        if (now - w.since + take.waitMs > this.opts.maxWaitMs) this.remove(line, w).reject(w.gaveUp(now - w.since, take.waitMs));
      }
      if (line.waiters.length === 0) break;
      const ms = Math.max(1, take.waitMs - (now - asked));
      this.opts.onWait?.(key, ms);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        line.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      line.wake = undefined;
    }
    this.lines.delete(key);
  }

  private remove(line: Line, w: Waiter): Waiter {
    line.waiters.splice(line.waiters.indexOf(w), 1);
    return w;
  }
}
