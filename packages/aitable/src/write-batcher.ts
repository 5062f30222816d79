import { isAppError } from '@bridge/errors';
import { AITABLE_ERROR_CODES, badResponse } from './errors';
import type { AitableOperation } from './options';
import type { LimiterSlot } from './rate-limiter';
import type { AitableRecord } from './schemas';

/** AITable accepts at most 10 records per write. */
export const MAX_RECORDS_PER_WRITE = 10;

interface Waiter<I> {
  input: I;
  /** Bulk work (a backfill) waits behind every other call pending on its datasheet. */
  bulk: boolean;
  resolve(record: AitableRecord): void;
  reject(err: unknown): void;
}

interface Lane<I> {
  pending: Waiter<I>[];
  /** A slot is being waited for; only one at a time, so a lane never holds a slot it cannot fill. */
  acquiring: boolean;
  inFlight: number;
  /** Keys of the inputs in flight: a second input with the same key waits for the first's answer. */
  busyKeys: Set<string>;
  idle?: { promise: Promise<void>; resolve(): void };
}

export interface RecordBatcherOptions<I> {
  operation: AitableOperation;
  /** Requests of one datasheet in flight at once (the rate limit per second is a good value). */
  maxInFlight: number;
  /** Waits for a slot of the shared rate limiter. */
  acquire(datasheetId: string): Promise<LimiterSlot>;
  /** Sends one request of at most 10 inputs with `slot` (or a slot of its own when none is given); one record per input. */
  send(datasheetId: string, inputs: I[], slot?: LimiterSlot): Promise<AitableRecord[]>;
  /** Picks each input's record out of the answer. */
  match(inputs: I[], records: AitableRecord[]): (AitableRecord | undefined)[];
  /** Inputs with the same key never share a request and go in call order (two updates of one record). */
  key?(input: I): string;
  /** The error of an input whose record is not in the answer. @defaultValue a bad-response error */
  missing?(datasheetId: string, input: I): Error;
}

/**
 * Coalesces single-record calls to one datasheet into requests of at most 10 records, paced by
 * the shared rate limiter instead of a clock: a slot is taken first and then everything pending
 * (up to 10) goes. A lone call is sent at once when a slot is free; when none is, calls pile up
 * while the lane waits and leave 10 at a time as soon as one opens, so full requests under load
 * and no added wait when idle.
 */
export class RecordBatcher<I> {
  private readonly lanes = new Map<string, Lane<I>>();

  constructor(private readonly opts: RecordBatcherOptions<I>) {}

  /** `bulk` calls leave after every other call pending on the datasheet, so a backfill never delays a live event's write. */
  add(datasheetId: string, input: I, opts: { bulk?: boolean } = {}): Promise<AitableRecord> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes.get(datasheetId) ?? { pending: [], acquiring: false, inFlight: 0, busyKeys: new Set<string>() };
      this.lanes.set(datasheetId, lane);
      const waiter = { input, bulk: opts.bulk ?? false, resolve, reject };
      // Before the first bulk call, keeping call order within each kind.
      const at = waiter.bulk ? -1 : lane.pending.findIndex((w) => w.bulk);
      if (at < 0) lane.pending.push(waiter);
      else lane.pending.splice(at, 0, waiter);
      this.pump(datasheetId, lane);
    });
  }

  /** Resolves once nothing is pending or in flight (every call already made has its answer). */
  async flush(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => (lane.idle ??= deferred()).promise));
  }

  private pump(datasheetId: string, lane: Lane<I>): void {
    if (lane.acquiring || lane.inFlight >= this.opts.maxInFlight || !this.hasSendable(lane)) {
      this.settleIdle(datasheetId, lane);
      return;
    }
    lane.acquiring = true;
    this.opts.acquire(datasheetId).then(
      (slot) => {
        lane.acquiring = false;
        this.dispatch(datasheetId, lane, this.takeBatch(lane), slot);
        this.pump(datasheetId, lane);
      },
      (err: unknown) => {
        // No slot (limiter down, or waited too long): the batch that would have gone fails with it.
        lane.acquiring = false;
        for (const w of this.takeBatch(lane)) w.reject(err);
        this.pump(datasheetId, lane);
      },
    );
  }

  private dispatch(datasheetId: string, lane: Lane<I>, batch: Waiter<I>[], slot: LimiterSlot): void {
    if (batch.length === 0) return void slot.settle();
    const keys = batch.map((w) => this.opts.key?.(w.input)).filter((k): k is string => k !== undefined);
    lane.inFlight++;
    keys.forEach((k) => lane.busyKeys.add(k));
    void this.sendBatch(datasheetId, batch, slot).finally(() => {
      lane.inFlight--;
      keys.forEach((k) => lane.busyKeys.delete(k));
      this.pump(datasheetId, lane);
    });
  }

  private hasSendable(lane: Lane<I>): boolean {
    return lane.pending.some((w) => !this.keyBusy(lane, w.input));
  }

  private keyBusy(lane: Lane<I>, input: I): boolean {
    const k = this.opts.key?.(input);
    return k !== undefined && lane.busyKeys.has(k);
  }

  private settleIdle(datasheetId: string, lane: Lane<I>): void {
    if (lane.acquiring || lane.inFlight > 0 || lane.pending.length > 0) return;
    if (this.lanes.get(datasheetId) === lane) this.lanes.delete(datasheetId);
    lane.idle?.resolve();
  }

  private takeBatch(lane: Lane<I>): Waiter<I>[] {
    const batch: Waiter<I>[] = [];
    const keys = new Set<string>();
    const rest: Waiter<I>[] = [];
    for (const w of lane.pending) {
      const k = this.opts.key?.(w.input);
      const free = k === undefined || (!keys.has(k) && !lane.busyKeys.has(k));
      if (batch.length < MAX_RECORDS_PER_WRITE && free) {
        batch.push(w);
        if (k !== undefined) keys.add(k);
      } else rest.push(w);
    }
    lane.pending = rest;
    return batch;
  }

  private async sendBatch(datasheetId: string, batch: Waiter<I>[], slot?: LimiterSlot): Promise<void> {
    try {
      this.settle(
        datasheetId,
        batch,
        await this.opts.send(
          datasheetId,
          batch.map((w) => w.input),
          slot,
        ),
      );
    } catch (err) {
      // One bad record makes AITable reject the whole request (nothing is written): try each
      // record alone (each with a slot of its own) so only its own caller fails.
      if (batch.length > 1 && isAppError(err) && err.code === AITABLE_ERROR_CODES.badRequest) {
        await Promise.all(batch.map((w) => this.sendBatch(datasheetId, [w])));
      } else {
        for (const w of batch) w.reject(err);
      }
    }
  }

  private settle(datasheetId: string, batch: Waiter<I>[], records: AitableRecord[]): void {
    const matched = this.opts.match(
      batch.map((w) => w.input),
      records,
    );
    batch.forEach((w, i) => {
      const record = matched[i];
      if (record) w.resolve(record);
      else if (this.opts.missing) w.reject(this.opts.missing(datasheetId, w.input));
      else
        w.reject(
          badResponse({ operation: this.opts.operation, datasheetId }, `record ${i + 1} of ${batch.length} is missing from the answer`),
        );
    });
  }
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
