import { insertRows, isRowProblem, sanitize, sqlStateOf, type DeliveryRow } from './delivery-rows';
import { classifyDbError } from './errors';
import type { PrismaClient } from './generated/prisma/client';

export type { DeliveryRow } from './delivery-rows';

/** The two methods of a winston logger the writer uses. */
export interface WriterLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface DeliveryWriterOptions {
  /** Rows per INSERT. @defaultValue 200 */
  maxBatch?: number;
  /** How long a row may wait for its batch. @defaultValue 250 */
  flushMs?: number;
  /** Rows kept while Postgres is away; the oldest are dropped beyond it. @defaultValue 10000 */
  maxBuffered?: number;
  /** Raw-body bytes kept while Postgres is away. @defaultValue 67108864 (64 MiB) */
  maxBufferedBytes?: number;
  /** Tries per batch within one flush before it waits for the next. @defaultValue 3 */
  attempts?: number;
  /** First delay between tries; doubles. @defaultValue 100 */
  retryDelayMs?: number;
  logger?: WriterLogger;
}

/** Writes delivery rows off the request path. */
export interface DeliveryWriter {
  /** Buffers a row; never throws, never waits. */
  record(row: DeliveryRow): void;
  /** Writes every buffered row (retrying a few times); resolves, never rejects. */
  flush(): Promise<void>;
  /** Flushes, stops the timers, and reports rows it could not write. */
  close(): Promise<void>;
  /** Rows not yet written. */
  readonly pending: number;
  /** Rows given up on (buffer overflow, rows Postgres refused, unwritten at close). */
  readonly dropped: number;
}

const silent: WriterLogger = { warn: () => undefined, error: () => undefined };
/**
 * Batches delivery rows into one INSERT per flush. While Postgres is down the rows wait
 * in a bounded buffer and are retried with a growing delay; a row Postgres refuses outright is
 * logged and dropped without taking its batch down with it.
 */
export function createDeliveryWriter(db: PrismaClient, opts: DeliveryWriterOptions = {}): DeliveryWriter {
  const maxBatch = opts.maxBatch ?? 200;
  const flushMs = opts.flushMs ?? 250;
  const maxBuffered = opts.maxBuffered ?? 10_000;
  const maxBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
  const attempts = opts.attempts ?? 3;
  const retryDelayMs = opts.retryDelayMs ?? 100;
  const log = opts.logger ?? silent;

  let buffer: DeliveryRow[] = [];
  let bytes = 0;
  let dropped = 0;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let inFlight = 0;

  const sizeOf = (r: DeliveryRow) => r.rawBody?.length ?? 0;
  const enforceBound = () => {
    let overflow = 0;
    while (buffer.length > maxBuffered || (bytes > maxBytes && buffer.length > 0)) {
      bytes -= sizeOf(buffer.shift()!);
      overflow++;
    }
    if (overflow) {
      dropped += overflow;
      log.error('delivery buffer full: oldest delivery rows dropped', { droppedRows: overflow, pendingRows: buffer.length });
    }
  };
  const schedule = (ms: number) => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, ms);
    timer.unref();
  };

  /** Writes a batch; returns the rows still to write (empty when done). */
  const writeBatch = async (batch: DeliveryRow[]): Promise<DeliveryRow[]> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertRows(db, batch);
        return [];
      } catch (err) {
        if (isRowProblem(err)) return writeOneByOne(batch);
        if (attempt >= attempts) {
          log.warn('delivery rows not written yet; will retry', { pendingRows: buffer.length + batch.length, error: classifyDbError(err).message });
          return batch;
        }
        await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  };

  const writeOneByOne = async (batch: DeliveryRow[]): Promise<DeliveryRow[]> => {
    for (const [i, row] of batch.entries()) {
      try {
        await insertRows(db, [row]);
      } catch (err) {
        if (!isRowProblem(err)) return batch.slice(i);
        dropped++;
        // The SQLSTATE only: a driver message can quote the value, which may come from the body.
        log.error('delivery row refused by the database; dropped', { deliveryId: row.id, sqlState: sqlStateOf(err) });
      }
    }
    return [];
  };

  const drain = async () => {
    clearTimeout(timer);
    timer = undefined;
    while (buffer.length > 0) {
      const batch = buffer.splice(0, maxBatch);
      bytes -= batch.reduce((n, r) => n + sizeOf(r), 0);
      inFlight = batch.length;
      const left = await writeBatch(batch).finally(() => {
        inFlight = 0;
      });
      if (left.length > 0) {
        buffer = [...left, ...buffer];
        bytes += left.reduce((n, r) => n + sizeOf(r), 0);
        enforceBound();
        failures++;
        schedule(Math.min(30_000, flushMs * 2 ** failures));
        return;
      }
      failures = 0;
    }
  };

  // Rows recorded while a drain runs are picked up by its loop, so one drain at a time suffices.
  const flush = (): Promise<void> => {
    running ??= drain()
      .catch((err: unknown) => void log.error('delivery writer failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    record(row) {
      if (closed) {
        dropped++;
        log.error('delivery recorded after the writer was closed; dropped', { deliveryId: row.id });
        return;
      }
      try {
        const clean = sanitize(row);
        buffer.push(clean);
        bytes += sizeOf(clean);
        enforceBound();
        if (buffer.length >= maxBatch && failures === 0) void flush();
        else schedule(failures === 0 ? flushMs : Math.min(30_000, flushMs * 2 ** failures));
      } catch {
        dropped++;
      }
    },
    flush,
    async close() {
      await flush();
      // A drain that failed left its rows buffered: give them one more round of tries.
      if (buffer.length > 0) await flush();
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      if (buffer.length > 0) {
        dropped += buffer.length;
        log.error('delivery rows lost at shutdown: the database did not answer', { droppedRows: buffer.length });
        buffer = [];
        bytes = 0;
      }
    },
    get pending() {
      return buffer.length + inFlight;
    },
    get dropped() {
      return dropped;
    },
  };
}
