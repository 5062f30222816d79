import { isAppError } from '@bridge/errors';
import { AITABLE_ERROR_CODES, badResponse } from './errors';
import type { AitableOperation } from './options';
import type { LimiterSlot } from './rate-limiter';
import type { AitableRecord } from './schemas';

/** AITable accepts at most 10 records per write. */
export const MAX_RECORDS_PER_WRITE = 10;

/**
 * Records read by id in one GET. AITable answers up to 1,000 records a page (`pageSize`), but the
 * ids travel in the URL: 200 ids of 13 characters with their encoded commas make about 3.2 KB,
 * well inside the 8 KB request line common proxies accept. A backfill's jobs each re-read their
 * record, so this width is what keeps those reads at 1 request per 200 records against 20 writes.
 */
export const MAX_RECORDS_PER_READ = 200;

interface Waiter<I> {
  input: I;
  /** Bulk work (a backfill) waits behind every other call pending on its datasheet. */
  bulk: boolean;
  /** When it was added (ms), for `bulkMaxWaitMs`. */
  at: number;
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
  /** When the last bulk call joined (ms). */
  lastBulkAt: number;
  /** Wakes the lane when bulk calls that waited for a full request have waited enough. */
  timer?: NodeJS.Timeout;
  idle?: { promise: Promise<void>; resolve(): void };
}

export interface RecordBatcherOptions<I> {
  operation: AitableOperation;
  /** Inputs per request (10 for writes, {@link MAX_RECORDS_PER_READ} for reads by id). */
  maxBatch: number;
  /** Requests of one datasheet in flight at once (the rate limit per second is a good value). */
  maxInFlight: number;
  /**
   * Bulk calls alone do not take a slot until a full request is pending, or until no bulk call has
   * joined for this long (the flow paused: a backfill's tail, or fewer jobs than a request holds).
   */
  bulkQuietMs: number;
  /** …or until the oldest of them has waited this long. */
  bulkMaxWaitMs: number;
  /** Waits for a slot of the shared rate limiter; `live()` says, at each try, whether a live call is in the batch. */
  acquire(datasheetId: string, live: () => boolean): Promise<LimiterSlot>;
  /**
   * Sends one request of at most `maxBatch` inputs with `slot` (or a slot of its own when none is
   * given, taken as bulk or live); one record per input.
   */
  send(datasheetId: string, inputs: I[], opts: { slot?: LimiterSlot; bulk: boolean }): Promise<AitableRecord[]>;
  /** Picks each input's record out of the answer. */
  match(inputs: I[], records: AitableRecord[]): (AitableRecord | undefined)[];
  /** Inputs with the same key never share a request and go in call order (two updates of one record). */
  key?(input: I): string;
  /** The error of an input whose record is not in the answer. @defaultValue a bad-response error */
  missing?(datasheetId: string, input: I): Error;
}

/**
 * Coalesces single-record calls to one datasheet into requests of at most `maxBatch` records,
 * paced by the shared rate limiter instead of a clock: a slot is taken first and then everything
 * pending (up to `maxBatch`) goes. A lone live call is sent at once when a slot is free; when none
 * is, calls pile up while the lane waits and leave together as soon as one opens, so full requests
 * under load and no added wait when idle. Bulk calls are the exception: every request spent on a
 * half-full batch of a backfill is a slot of the datasheet's 5 per second gone, so they wait for a
 * full request (or a pause in their flow) before they ask for a slot.
 */
export class RecordBatcher<I> {
  private readonly lanes = new Map<string, Lane<I>>();

  constructor(private readonly opts: RecordBatcherOptions<I>) {}

  /** `bulk` calls leave after every other call pending on the datasheet, so a backfill never delays a live event's write. */
  add(datasheetId: string, input: I, opts: { bulk?: boolean } = {}): Promise<AitableRecord> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes.get(datasheetId) ?? {
        pending: [],
        acquiring: false,
        inFlight: 0,
        busyKeys: new Set<string>(),
        lastBulkAt: 0,
      };
      this.lanes.set(datasheetId, lane);
      const waiter = { input, bulk: opts.bulk ?? false, at: Date.now(), resolve, reject };
      if (waiter.bulk) lane.lastBulkAt = waiter.at;
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
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const hold = this.bulkHold(lane);
    if (hold > 0) {
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        this.pump(datasheetId, lane);
      }, hold);
      return;
    }
    lane.acquiring = true;
    this.opts
      .acquire(datasheetId, () => lane.pending.some((w) => !w.bulk))
      .then(
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

  /** How much longer the sendable calls should wait for company before taking a slot (0: go now). */
  private bulkHold(lane: Lane<I>): number {
    const sendable = lane.pending.filter((w) => !this.keyBusy(lane, w.input));
    if (sendable.length >= this.opts.maxBatch || sendable.some((w) => !w.bulk)) return 0;
    const oldest = Math.min(...sendable.map((w) => w.at));
    return Math.max(0, Math.min(lane.lastBulkAt + this.opts.bulkQuietMs, oldest + this.opts.bulkMaxWaitMs) - Date.now());
  }

  private keyBusy(lane: Lane<I>, input: I): boolean {
    const k = this.opts.key?.(input);
    return k !== undefined && lane.busyKeys.has(k);
  }

  private settleIdle(datasheetId: string, lane: Lane<I>): void {
    if (lane.acquiring || lane.inFlight > 0 || lane.pending.length > 0 || lane.timer) return;
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
      if (batch.length < this.opts.maxBatch && free) {
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
          { slot, bulk: batch.every((w) => w.bulk) },
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
