export interface SlowStartOptions {
  /** Jobs let in at once when a burst begins. */
  initial: number;
  /** With none inside for this long, the next burst begins at `initial` again. */
  idleResetMs: number;
}

/**
 * Lets the jobs of a burst in a few at first, one more for each that finishes (TCP's slow start).
 * A worker that takes a few hundred bulk jobs at once runs them in lockstep: each job's Postgres
 * queries wait behind everyone's, on a cold process for seconds, so none reaches its MissionX call
 * or AITable write-back until nearly all got through their first steps. Let in first, the first jobs
 * finish first, and the writes start within a fraction of a second while the window widens to
 * whatever the worker's concurrency allows.
 */
export class SlowStart {
  private inside = 0;
  private window: number;
  private lastLeft = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: SlowStartOptions) {
    this.window = opts.initial;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside === 0 && this.waiting.length === 0 && Date.now() - this.lastLeft > this.opts.idleResetMs) {
      this.window = this.opts.initial;
    }
    if (this.inside < this.window) this.inside++;
    // The place is handed over by a leaving job (inside already counts it), so a newcomer cannot slip in.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      this.lastLeft = Date.now();
      this.inside--;
      // Bounded only so the number stays a number: the worker's concurrency bounds the jobs inside.
      this.window = Math.min(this.window + 1, 1_000_000);
      while (this.inside < this.window && this.waiting.length > 0) {
        this.inside++;
        this.waiting.shift()!();
      }
    }
  }

  /** Jobs inside, and jobs waiting to be let in. */
  get load(): { inside: number; waiting: number; window: number } {
    return { inside: this.inside, waiting: this.waiting.length, window: this.window };
  }
}
