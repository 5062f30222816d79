import { isAppError } from '@bridge/errors';
import { AITABLE_ERROR_CODES, badResponse } from './errors';
import type { AitableOperation } from './options';
import type { AitableRecord } from './schemas';

/** AITable accepts at most 10 records per write. */
export const MAX_RECORDS_PER_WRITE = 10;

interface Waiter<I> {
  input: I;
  resolve(record: AitableRecord): void;
  reject(err: unknown): void;
}

interface Lane<I> {
  pending: Waiter<I>[];
  timer?: NodeJS.Timeout;
  sending?: Promise<void>;
}

export interface WriteBatcherOptions<I> {
  operation: AitableOperation;
  windowMs: number;
  /** Sends one request of at most 10 inputs; answers one record per input. */
  send(datasheetId: string, inputs: I[]): Promise<AitableRecord[]>;
  /** Picks each input's record out of the answer. */
  match(inputs: I[], records: AitableRecord[]): (AitableRecord | undefined)[];
  /** Inputs with the same key never share a request (two updates of one record stay in order). */
  key?(input: I): string;
}

/**
 * Coalesces single-record writes to one datasheet into requests of at most 10 records.
 * Per datasheet one request is in flight at a time; calls arriving meanwhile form the next
 * batch, so a burst of jobs costs a handful of requests instead of one each.
 */
export class WriteBatcher<I> {
  private readonly lanes = new Map<string, Lane<I>>();

  constructor(private readonly opts: WriteBatcherOptions<I>) {}

  add(datasheetId: string, input: I): Promise<AitableRecord> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes.get(datasheetId) ?? { pending: [] };
      this.lanes.set(datasheetId, lane);
      lane.pending.push({ input, resolve, reject });
      this.schedule(datasheetId, lane);
    });
  }

  /** Sends everything pending now and resolves when no request is left in flight. */
  async flush(): Promise<void> {
    for (;;) {
      const busy = [...this.lanes.entries()].filter(([, l]) => l.pending.length > 0 || l.sending);
      if (busy.length === 0) return;
      for (const [ds, lane] of busy) if (!lane.sending) this.sendNext(ds, lane);
      await Promise.all(busy.map(([, l]) => l.sending));
    }
  }

  private schedule(datasheetId: string, lane: Lane<I>): void {
    if (lane.sending) return; // the running request picks the rest up when it ends
    if (lane.pending.length >= MAX_RECORDS_PER_WRITE) this.sendNext(datasheetId, lane);
    else lane.timer ??= setTimeout(() => this.sendNext(datasheetId, lane), this.opts.windowMs);
  }

  private sendNext(datasheetId: string, lane: Lane<I>): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const batch = this.takeBatch(lane);
    if (batch.length === 0) return;
    lane.sending = this.sendBatch(datasheetId, batch).finally(() => {
      lane.sending = undefined;
      if (lane.pending.length > 0) this.sendNext(datasheetId, lane);
      else if (this.lanes.get(datasheetId) === lane) this.lanes.delete(datasheetId);
    });
  }

  private takeBatch(lane: Lane<I>): Waiter<I>[] {
    const batch: Waiter<I>[] = [];
    const keys = new Set<string>();
    const rest: Waiter<I>[] = [];
    for (const w of lane.pending) {
      const k = this.opts.key?.(w.input);
      if (batch.length < MAX_RECORDS_PER_WRITE && (k === undefined || !keys.has(k))) {
        batch.push(w);
        if (k !== undefined) keys.add(k);
      } else rest.push(w);
    }
    lane.pending = rest;
    return batch;
  }

  private async sendBatch(datasheetId: string, batch: Waiter<I>[]): Promise<void> {
    try {
      this.settle(datasheetId, batch, await this.opts.send(datasheetId, batch.map((w) => w.input)));
    } catch (err) {
      // One bad record makes AITable reject the whole request (nothing is written): try each
      // record alone so only its own caller fails.
      if (batch.length > 1 && isAppError(err) && err.code === AITABLE_ERROR_CODES.badRequest) {
        await Promise.all(batch.map((w) => this.sendBatch(datasheetId, [w])));
      } else {
        for (const w of batch) w.reject(err);
      }
    }
  }

  private settle(datasheetId: string, batch: Waiter<I>[], records: AitableRecord[]): void {
    const matched = this.opts.match(batch.map((w) => w.input), records);
    batch.forEach((w, i) => {
      const record = matched[i];
      if (record) w.resolve(record);
      else w.reject(badResponse({ operation: this.opts.operation, datasheetId }, `record ${i + 1} of ${batch.length} is missing from the answer`));
    });
  }
}
