import { withTimeLimit } from '@bridge/errors';
import { classifyDbError, isRowRefused } from './errors';

/** The two methods of a winston logger the writer uses. */
export interface WriterLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface BatchWriterOptions<Row> {
  /** For logs and the metric label. */
  table: string;
  /** One multi-row INSERT (ON CONFLICT DO NOTHING, so a retry after a lost answer is harmless). */
  insert: (rows: Row[]) => Promise<void>;
  /** Logged when a row is refused; never the row's values, which may come from outside. */
  idOf: (row: Row) => string;
  /** Bytes a row holds while the database is away. @defaultValue 0 */
  sizeOf?: (row: Row) => number;
  /** Called once for each row the database refuses for its data (e.g. to count it). */
  onRefused?: (row: Row, sqlState: string) => void;
  /** Rows per INSERT. @defaultValue 200 */
  maxBatch?: number;
  /** How long a row may wait for its batch. @defaultValue 250 */
  flushMs?: number;
  /** Rows kept while the database is away; the oldest are dropped beyond it. @defaultValue 10000 */
  maxBuffered?: number;
  /** Bytes (per sizeOf) kept while the database is away. @defaultValue 67108864 (64 MiB) */
  maxBufferedBytes?: number;
  /** Tries per batch within one flush before it waits for the next. @defaultValue 3 */
  attempts?: number;
  /** First delay between tries; doubles. @defaultValue 100 */
  retryDelayMs?: number;
  /**
   * Longest `close()` waits for the last rows to be written; what is still unwritten then is
   * reported as lost. @defaultValue 10000
   */
  closeTimeoutMs?: number;
  logger?: WriterLogger;
}

/** Writes rows off the request path, in batches. */
export interface BatchWriter<Row> {
  /** Buffers a row; never throws, never waits. */
  record(row: Row): void;
  /** Writes every buffered row (retrying a few times); resolves, never rejects. */
  flush(): Promise<void>;
  /** Flushes, stops the timers, and reports what it could not write and why. */
  close(): Promise<void>;
  /** Rows not yet written. */
  readonly pending: number;
  /** Rows lost without the database seeing them: buffer overflow, unwritten at close, recorded after close. */
  readonly dropped: number;
  /** Rows the database refused for their data (each logged with its id and SQLSTATE). */
  readonly refused: number;
}

/** Why a batch was not written: the database was away, or it failed the statement for every row alike. */
interface Unwritten<Row> {
  rows: Row[];
  reason: string;
}

const silent: WriterLogger = { warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Batches rows into one INSERT per flush. A batch the database refuses for the data of some row
 * is split in halves until the refused rows stand alone: they are logged, counted and set aside,
 * every other row is written. Only a failure that is not about the data (the database away, or
 * a statement it fails for every row) keeps rows in a bounded buffer, retried with a growing delay.
 */
export function createBatchWriter<Row>(opts: BatchWriterOptions<Row>): BatchWriter<Row> {
  const { table, insert, idOf } = opts;
  const sizeOf = opts.sizeOf ?? (() => 0);
  const maxBatch = opts.maxBatch ?? 200;
  const flushMs = opts.flushMs ?? 250;
  const maxBuffered = opts.maxBuffered ?? 10_000;
  const maxBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
  const attempts = opts.attempts ?? 3;
  const retryDelayMs = opts.retryDelayMs ?? 100;
  const closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  const log = opts.logger ?? silent;

  let buffer: Row[] = [];
  let bytes = 0;
  const lost = { overflow: 0, unwritten: 0, afterClose: 0, refused: 0 };
  let lastReason = 'the database did not answer';
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let inFlight = 0;

  const bytesOf = (rows: Row[]) => rows.reduce((n, r) => n + sizeOf(r), 0);
  const backoff = () => (failures === 0 ? flushMs : Math.min(30_000, flushMs * 2 ** failures));
  const enforceBound = () => {
    let overflow = 0;
    while (buffer.length > maxBuffered || (bytes > maxBytes && buffer.length > 0)) {
      bytes -= sizeOf(buffer.shift()!);
      overflow++;
    }
    if (overflow) {
      lost.overflow += overflow;
      log.error(`${table} buffer full: oldest rows dropped`, { table, droppedRows: overflow, pendingRows: buffer.length });
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

  const refuse = (row: Row, sqlState: string) => {
    lost.refused++;
    log.error(`${table} row refused by the database; set aside`, { table, rowId: idOf(row), sqlState });
    try {
      opts.onRefused?.(row, sqlState);
    } catch {
      // A failing counter must not stop the rows after this one.
    }
  };

  /** Writes rows, halving around the rows refused for their data; returns what is left unwritten. */
  const writeSplitting = async (rows: Row[]): Promise<Unwritten<Row> | undefined> => {
    try {
      await insert(rows);
      return undefined;
    } catch (err) {
      const e = classifyDbError(err);
      if (!isRowRefused(e)) {
        const reason = e.kind === 'transient' ? 'the database did not answer' : `the database failed the INSERT (${e.message})`;
        return { rows, reason };
      }
      if (rows.length === 1) {
        refuse(rows[0]!, String(e.details?.sqlState));
        return undefined;
      }
      const half = Math.ceil(rows.length / 2);
      const first = await writeSplitting(rows.slice(0, half));
      if (first) return { rows: [...first.rows, ...rows.slice(half)], reason: first.reason };
      return writeSplitting(rows.slice(half));
    }
  };

  /** Writes a batch with a few quick tries; returns the rows still to write. */
  const writeBatch = async (batch: Row[]): Promise<Row[]> => {
    for (let attempt = 1; ; attempt++) {
      const left = await writeSplitting(batch);
      if (!left) return [];
      batch = left.rows;
      lastReason = left.reason;
      if (attempt >= attempts) {
        log.warn(`${table} rows not written yet; will retry`, { table, pendingRows: buffer.length + batch.length, error: left.reason });
        return batch;
      }
      await sleep(retryDelayMs * 2 ** (attempt - 1));
    }
  };

  const drain = async () => {
    clearTimeout(timer);
    timer = undefined;
    while (buffer.length > 0) {
      const batch = buffer.splice(0, maxBatch);
      bytes -= bytesOf(batch);
      inFlight = batch.length;
      const left = await writeBatch(batch).finally(() => {
        inFlight = 0;
      });
      if (left.length > 0) {
        buffer = [...left, ...buffer];
        bytes += bytesOf(left);
        enforceBound();
        failures++;
        schedule(backoff());
        return;
      }
      failures = 0;
    }
  };

  // Rows recorded while a drain runs are picked up by its loop, so one drain at a time suffices.
  const flush = (): Promise<void> => {
    running ??= drain()
      .catch((err: unknown) => void log.error(`${table} writer failed`, { table, error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  /** One line on what this writer could not store, and why, so a shutdown log tells the truth. */
  const reportLosses = () => {
    const parts = [
      lost.unwritten && `${lost.unwritten} not written at shutdown because ${lastReason}`,
      lost.refused && `${lost.refused} refused by the database for their data`,
      lost.overflow && `${lost.overflow} dropped when the buffer was full`,
      lost.afterClose && `${lost.afterClose} recorded after close`,
    ].filter(Boolean);
    if (parts.length === 0) return;
    log.error(`${table} writer closed with rows not stored: ${parts.join('; ')}`, {
      table,
      unwrittenRows: lost.unwritten,
      refusedRows: lost.refused,
      overflowRows: lost.overflow,
      afterCloseRows: lost.afterClose,
    });
  };

  return {
    record(row) {
      if (closed) {
        lost.afterClose++;
        log.error(`${table} row recorded after the writer was closed; dropped`, { table, rowId: idOf(row) });
        return;
      }
      try {
        buffer.push(row);
        bytes += sizeOf(row);
        enforceBound();
        if (buffer.length >= maxBatch && failures === 0) void flush();
        else schedule(backoff());
      } catch (err) {
        log.error(`${table} row could not be buffered`, { table, error: err instanceof Error ? err.message : String(err) });
      }
    },
    flush,
    async close() {
      const flushed = (async () => {
        await flush();
        // A drain that failed left its rows buffered: give them one more round of tries.
        if (buffer.length > 0) await flush();
        return true;
      })();
      // A database that stops answering without closing the connection must not hold the shutdown.
      const settled = await withTimeLimit(flushed, closeTimeoutMs, () => false);
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      if (!settled) lastReason = `the database did not answer within ${closeTimeoutMs} ms`;
      lost.unwritten += buffer.length + (settled ? 0 : inFlight);
      buffer = [];
      bytes = 0;
      reportLosses();
    },
    get pending() {
      return buffer.length + inFlight;
    },
    get dropped() {
      return lost.overflow + lost.unwritten + lost.afterClose;
    },
    get refused() {
      return lost.refused;
    },
  };
}
