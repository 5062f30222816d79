import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AitableClient, AitableRecord } from '@bridge/aitable';
import { permanent } from '@bridge/errors';
import type { ConfiguredDatasheets, FieldMapping } from '@bridge/config';
import type { PrismaClient } from '@bridge/db';
import {
  BACKFILL_PRIORITY,
  enqueueBulk,
  eventJob,
  JOBS,
  QUEUE_NAMES,
  type AitableEventJob,
  type BridgeQueues,
  type QueueName,
  type RedisConnection,
} from '@bridge/queues';
import { checkpointKey, clearCheckpoint, readCheckpoint, saveCheckpoint, ZERO_COUNTS, type BackfillCounts } from './checkpoint';
import { decide, scannedFieldsOf, syncRowsOf, type WorkTarget } from './decide';
import { keyOf, scanWindows, type RecordKey } from './keyset';

/** The datasheets a backfill walks, by the queue their jobs go to. */
export const BACKFILL_TARGETS: readonly QueueName[] = QUEUE_NAMES;
export type BackfillTarget = QueueName;

/**
 * False for a datasheet that can hold no work for a backfill by design (see {@link NO_WORK_IN_AUDIT_RESULTS}):
 * said up front rather than after reading every record to enqueue nothing.
 */
export const findsWork = (target: BackfillTarget): target is WorkTarget => target !== JOBS.auditResults.name;

export const NO_WORK_IN_AUDIT_RESULTS =
  'Audit Results records are written by the bridge itself and their events are only recorded: no rule gives one a job, so a backfill would read them all to enqueue nothing';

export interface BackfillDeps {
  aitable: Pick<AitableClient, 'listRecords'>;
  /** Holds the checkpoints (and the queues' dedup keys). */
  redis: RedisConnection;
  db: PrismaClient;
  queues: Pick<BridgeQueues, BackfillTarget>;
  datasheets: ConfiguredDatasheets;
  fields: FieldMapping;
  /** `QUEUE_PREFIX`, under which the checkpoints live. */
  queuePrefix: string;
}

export interface BackfillOptions {
  /** An AITable formula; only matching records are examined. */
  where?: string;
  /** Decide and count, enqueue nothing, leave the checkpoint. */
  dryRun?: boolean;
  /** Examine at most this many records in this call; the checkpoint keeps the rest for the next run. */
  limit?: number;
  /** Records per AITable read. @defaultValue 1000 (AITable's maximum) */
  pageSize?: number;
  /** Records decided and enqueued (one `addBulk`) per step; the checkpoint moves after each. @defaultValue 100 */
  chunkSize?: number;
  /**
   * The scan pauses while this many jobs wait in the queue (its backfill jobs, and jobs an outage
   * delayed), so each job runs soon after its record was read (and decides from that read:
   * BACKFILL_READ_MAX_AGE_MS) and a datasheet of 100,000 records does not sit in Redis at once.
   * @defaultValue 500
   */
  maxAhead?: number;
  /** Aborting stops the run after the current step, checkpoint saved. */
  signal?: AbortSignal;
  onProgress?: (p: BackfillProgress) => void;
  /**
   * Called when the scan has waited {@link PAUSE_REPORT_MS} for the workers, and every as long
   * again: with the backfill jobs waiting and the seconds waited (a worker down, or not consuming the queue).
   */
  onPause?: (waiting: number, seconds: number) => void;
}

export interface BackfillProgress {
  target: BackfillTarget;
  datasheetId: string;
  counts: BackfillCounts;
  /** Records examined so far plus those the last read said remain. */
  total: number;
}

export interface BackfillResult extends BackfillProgress {
  dryRun: boolean;
  /** Where this call started: after this record (a resumed run), or from the start. */
  resumedFrom: RecordKey | null;
  /** True once every matching record was examined; false when stopped by `limit` or `signal`. */
  complete: boolean;
  /** Up to 20 records a person must fix, with the code the worker would fail with. */
  invalid: { recordId: string; code: string }[];
}

const datasheetOf = (target: BackfillTarget, ds: ConfiguredDatasheets) => ds[eventJob(target).datasheet];

/** The dedup key of a record's backfill job: one waiting or running job per record, apart from live events' keys. */
export const backfillDedupKey = (datasheetId: string, recordId: string) => `backfill:${datasheetId}:${recordId}`;

/**
 * Walks one datasheet in a stable order and enqueues a `record.updated` job, at backfill
 * priority (after every live event), for each record the workers' rules say still needs work.
 * Memory stays flat: one window of at most a page is held at a time. The checkpoint in Redis
 * moves after every step, so a run stopped by Ctrl-C, a crash or `limit` resumes where it
 * stopped; it is removed once the datasheet is done, so the next run starts over and, once
 * the workers caught up, finds nothing to do.
 */
export async function backfillDatasheet(target: BackfillTarget, deps: BackfillDeps, opts: BackfillOptions = {}): Promise<BackfillResult> {
  if (!findsWork(target)) {
    throw permanent('backfill_nothing_to_find', `Nothing to backfill in ${target}: ${NO_WORK_IN_AUDIT_RESULTS}`, { details: { target } });
  }
  const datasheetId = datasheetOf(target, deps.datasheets);
  const dryRun = opts.dryRun ?? false;
  const chunkSize = opts.chunkSize ?? 100;
  const key = checkpointKey(deps.queuePrefix, datasheetId, opts.where);
  const saved = await readCheckpoint(deps.redis, key);
  const startedAt = saved?.startedAt ?? new Date().toISOString();
  const runId = randomUUID();
  const counts: BackfillCounts = { ...(saved?.counts ?? ZERO_COUNTS) };
  const invalid: BackfillResult['invalid'] = [];
  let total = counts.examined;
  let examinedHere = 0;
  const progress = (): BackfillProgress => ({ target, datasheetId, counts: { ...counts }, total });
  const result = (complete: boolean): BackfillResult => ({ ...progress(), dryRun, resumedFrom: saved?.after ?? null, complete, invalid });

  const windows = scanWindows(deps.aitable, datasheetId, { where: opts.where, after: saved?.after, pageSize: opts.pageSize ?? 1000 });
  for await (const w of windows) {
    total = counts.examined + w.remaining;
    for (let i = 0; i < w.records.length; i += chunkSize) {
      const room = opts.limit === undefined ? chunkSize : Math.min(chunkSize, opts.limit - examinedHere);
      const chunk = w.records.slice(i, i + room);
      if (!dryRun && !(await roomAhead(deps.queues[target], opts))) return result(false);
      await step(target, datasheetId, chunk, deps, { dryRun, runId, counts, invalid, readAt: w.readAt });
      examinedHere += chunk.length;
      if (!dryRun) {
        const after = keyOf(chunk.at(-1)!);
        await saveCheckpoint(deps.redis, key, { after, counts, startedAt, updatedAt: new Date().toISOString() });
      }
      opts.onProgress?.(progress());
      const stopped = opts.signal?.aborted || (opts.limit !== undefined && examinedHere >= opts.limit);
      const moreLeft = i + chunk.length < w.records.length || w.remaining > w.records.length;
      if (stopped && moreLeft) return result(false);
    }
  }
  if (!dryRun) await clearCheckpoint(deps.redis, key);
  total = counts.examined;
  return result(true);
}

async function step(
  target: WorkTarget,
  datasheetId: string,
  chunk: readonly AitableRecord[],
  deps: BackfillDeps,
  run: { dryRun: boolean; runId: string; counts: BackfillCounts; invalid: BackfillResult['invalid']; readAt: number },
): Promise<void> {
  const rows = await syncRowsOf(
    deps.db,
    datasheetId,
    chunk.map((r) => r.recordId),
  );
  const needing: AitableRecord[] = [];
  for (const record of chunk) {
    const d = decide(target, record, rows.get(record.recordId) ?? null, deps.fields, datasheetId);
    run.counts.examined++;
    if (d.kind === 'up_to_date') run.counts.upToDate++;
    else if (d.kind === 'invalid') {
      run.counts.invalid++;
      if (run.invalid.length < 20) run.invalid.push({ recordId: record.recordId, code: d.code });
    } else needing.push(record);
  }
  const queue = deps.queues[target];
  if (run.dryRun) {
    // What the real run would find: a record whose backfill job is still waiting is not added again.
    const held = await Promise.all(needing.map((r) => queue.getDeduplicationJobId(backfillDedupKey(datasheetId, r.recordId))));
    const queued = held.filter(Boolean).length;
    run.counts.alreadyQueued += queued;
    run.counts.enqueued += needing.length - queued;
    return;
  }
  const receivedAt = new Date().toISOString();
  const scannedAt = new Date(run.readAt).toISOString();
  const carried = scannedFieldsOf(target, deps.fields);
  const jobs = needing.map((record) => {
    const deliveryId = randomUUID();
    const payload: AitableEventJob = {
      kind: 'aitable.event',
      deliveryId,
      requestId: `backfill-${run.runId}`,
      receivedAt,
      eventType: 'record.updated',
      datasheetId,
      recordId: record.recordId,
      // Only the fields the flow reads (less personal data in Redis). A job that runs long after
      // the read (behind live events, after an outage) reads the record again instead.
      ...(carried && {
        scanned: {
          at: scannedAt,
          updatedAt: record.updatedAt,
          rowUpdatedAt: rows.get(record.recordId)?.updatedAt.toISOString() ?? null,
          fields: Object.fromEntries(carried.filter((f) => f in record.fields).map((f) => [f, record.fields[f]])),
        },
      }),
    };
    return { payload, opts: { jobId: deliveryId, dedupKey: backfillDedupKey(datasheetId, record.recordId), priority: BACKFILL_PRIORITY } };
  });
  const added = await enqueueBulk(queue as Parameters<typeof enqueueBulk<AitableEventJob>>[0], jobs);
  const duplicates = added.filter((a) => a.duplicate).length;
  run.counts.alreadyQueued += duplicates;
  run.counts.enqueued += added.length - duplicates;
}

const PAUSE_POLL_MS = 200;
/** Pauses shorter than this are the scan keeping pace with the workers, not worth telling. */
export const PAUSE_REPORT_MS = 10_000;

/**
 * Waits until fewer than `maxAhead` jobs wait in the queue: jobs with a priority (backfill jobs;
 * live events have none) and delayed ones (held back by an outage or a busy record), so an outage
 * that sends every job to the delayed set pauses the scan too. False when the run was stopped meanwhile.
 */
async function roomAhead(
  queue: Pick<BridgeQueues[BackfillTarget], 'getJobCountByTypes'>,
  opts: Pick<BackfillOptions, 'maxAhead' | 'signal' | 'onPause'>,
): Promise<boolean> {
  const maxAhead = opts.maxAhead ?? 500;
  const since = Date.now();
  let reported = 0;
  for (;;) {
    if (opts.signal?.aborted) return false;
    const waiting = await queue.getJobCountByTypes('prioritized', 'delayed');
    if (waiting < maxAhead) return true;
    const waited = Date.now() - since;
    if (waited >= (reported + 1) * PAUSE_REPORT_MS) {
      reported = Math.floor(waited / PAUSE_REPORT_MS);
      opts.onPause?.(waiting, Math.round(waited / 1000));
    }
    // An abort ends the wait early; the loop's first line then answers false.
    await sleep(PAUSE_POLL_MS, undefined, { signal: opts.signal }).catch(() => undefined);
  }
}
