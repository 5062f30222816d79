import { randomUUID } from 'node:crypto';
import { formulaString, type AitableClient, type AitableRecord } from '@bridge/aitable';
import type { Logger } from '@bridge/logger';
import type { Metrics } from '@bridge/metrics';
import { enqueue, type AitableEventJob, type BridgeQueues, type ReconcileTarget, type RedisConnection } from '@bridge/queues';
import type { ConfiguredDatasheets } from '@bridge/config';
import { advanceCursor, cursorKey, readCursor } from '../reconcile-cursor';

/** What reconciling one datasheet needs. */
export interface ReconcileDeps {
  aitable: Pick<AitableClient, 'iteratePages'>;
  /** Holds the cursors. */
  redis: RedisConnection;
  queues: Pick<BridgeQueues, ReconcileTarget>;
  datasheets: Pick<ConfiguredDatasheets, ReconcileTarget>;
  /** `QUEUE_PREFIX`, under which the cursors live. */
  queuePrefix: string;
  logger: Logger;
  metrics: Pick<Metrics, 'reconciledRecords'>;
  /**
   * The ids of the found records that neither a webhook nor a sync had brought before the run (the lost
   * webhooks); without it (the CLI) the result reports none.
   */
  unseen?: (datasheetId: string, records: readonly AitableRecord[]) => Promise<string[]>;
}

export interface ReconcileOptions {
  /** How far before the cursor to look again (clock skew, shifting pages). */
  overlapMs: number;
  /** How far back to look when there is no cursor yet. */
  lookbackMs: number;
  /** Look from this instant instead (an operator after an outage); the cursor still only moves forward. */
  since?: Date;
  /** List what would be enqueued; enqueue nothing and leave the cursor. */
  dryRun?: boolean;
  now?: () => number;
}

export interface ReconciledRecord {
  recordId: string;
  /** AITable's modification time, epoch ms. */
  updatedAt: number;
  /** `would_enqueue` in a dry run; `duplicate` (in a dry run too) when this very modification was enqueued before. */
  outcome: 'enqueued' | 'duplicate' | 'would_enqueue';
  jobId?: string;
  /** No webhook or sync had brought this modification before the run: its webhook was lost (or is late). */
  missing?: true;
}

export interface ReconcileResult {
  target: ReconcileTarget;
  datasheetId: string;
  /** Records modified after this instant (epoch ms) were listed. */
  from: number;
  cursorBefore: number | null;
  cursorAfter: number | null;
  dryRun: boolean;
  records: ReconciledRecord[];
  enqueued: number;
  duplicates: number;
  /** Records enqueued (or that would be) that were missing: the lost-webhook signal; absent when not asked (`unseen`). */
  missing?: number;
}

/** A modification is fed once; the key outlives any window a later run could list it in again. */
export const RECONCILE_DEDUP_TTL_MS = 7 * 24 * 3600 * 1000;
const PAGE_SIZE = 1000; // AITable's maximum: most runs fit on one page, so no page can shift under us
const ENQUEUE_CHUNK = 25;

/**
 * Finds the records of one datasheet modified since the last sync and feeds each into its event
 * queue as a `record.updated` event carrying the fields as read, so it takes the normal flow,
 * which skips records whose relevant fields did not change. The dedup key is the modification
 * itself (datasheet, record, updatedAt): the overlap lists a record again, but it is enqueued once.
 * The cursor moves to the latest modification seen only once every enqueue succeeded.
 */
export async function reconcileDatasheet(target: ReconcileTarget, deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileResult> {
  const now = opts.now ?? Date.now;
  const datasheetId = deps.datasheets[target];
  const key = cursorKey(deps.queuePrefix, datasheetId);
  const cursorBefore = await readCursor(deps.redis, key);
  const from = opts.since ? opts.since.getTime() : cursorBefore !== null ? cursorBefore - opts.overlapMs : now() - opts.lookbackMs;
  const formula = `IS_AFTER(LAST_MODIFIED_TIME(), ${formulaString(new Date(from).toISOString())})`;

  const found: AitableRecord[] = [];
  for await (const page of deps.aitable.iteratePages(datasheetId, { filterByFormula: formula, pageSize: PAGE_SIZE }))
    found.push(...page.records);

  // Asked before enqueueing: once the fed jobs have run, every record has its sync.
  const unseen = new Set(deps.unseen ? await deps.unseen(datasheetId, found) : []);
  const dryRun = opts.dryRun ?? false;
  const fed = dryRun
    ? await inChunks(found, (r) => predictOne(target, datasheetId, r, deps))
    : await inChunks(found, (r) => enqueueOne(target, datasheetId, r, deps, new Date(now()).toISOString()));
  // A duplicate was judged by the run that first fed it.
  const records = fed.map((r): ReconciledRecord => (unseen.has(r.recordId) && r.outcome !== 'duplicate' ? { ...r, missing: true } : r));

  let cursorAfter = cursorBefore;
  if (!dryRun) {
    // With nothing found, a first run still records where it looked from, so the next run
    // continues from there rather than from a look-back that slides with the clock.
    const latest = found.reduce((max, r) => Math.max(max, r.updatedAt), cursorBefore ?? from);
    cursorAfter = await advanceCursor(deps.redis, key, latest);
  }
  const result: ReconcileResult = {
    target,
    datasheetId,
    from,
    cursorBefore,
    cursorAfter,
    dryRun,
    records,
    enqueued: records.filter((r) => r.outcome === 'enqueued').length,
    duplicates: records.filter((r) => r.outcome === 'duplicate').length,
    ...(deps.unseen ? { missing: records.filter((r) => r.missing).length } : {}),
  };
  deps.logger.info('reconcile run', { ...result, records: records.length, from: new Date(from).toISOString() });
  return result;
}

/** One dedup key per modification (datasheet, record, updatedAt), for the real run and the dry run alike. */
const dedupKeyOf = (datasheetId: string, record: AitableRecord) => `reconcile:${datasheetId}:${record.recordId}:${record.updatedAt}`;

/** Any failure rejects the run before the cursor moves: the next run lists these records again. */
async function inChunks(
  found: readonly AitableRecord[],
  each: (r: AitableRecord) => Promise<ReconciledRecord>,
): Promise<ReconciledRecord[]> {
  const out: ReconciledRecord[] = [];
  for (let i = 0; i < found.length; i += ENQUEUE_CHUNK) out.push(...(await Promise.all(found.slice(i, i + ENQUEUE_CHUNK).map(each))));
  return out;
}

/** What the real run would do with this record: a modification enqueued before is a duplicate there too. */
async function predictOne(
  target: ReconcileTarget,
  datasheetId: string,
  record: AitableRecord,
  deps: ReconcileDeps,
): Promise<ReconciledRecord> {
  const existing = await deps.queues[target].getDeduplicationJobId(dedupKeyOf(datasheetId, record));
  const base = { recordId: record.recordId, updatedAt: record.updatedAt };
  return existing ? { ...base, outcome: 'duplicate', jobId: existing } : { ...base, outcome: 'would_enqueue' };
}

async function enqueueOne(
  target: ReconcileTarget,
  datasheetId: string,
  record: AitableRecord,
  deps: ReconcileDeps,
  receivedAt: string,
): Promise<ReconciledRecord> {
  const deliveryId = randomUUID();
  const payload: AitableEventJob = {
    kind: 'aitable.event',
    deliveryId,
    requestId: `reconcile-${randomUUID()}`,
    receivedAt,
    eventType: 'record.updated',
    datasheetId,
    recordId: record.recordId,
    fields: record.fields,
  };
  const { jobId, duplicate } = await enqueue(deps.queues[target], payload, {
    jobId: deliveryId,
    dedupKey: dedupKeyOf(datasheetId, record),
    dedupTtlMs: RECONCILE_DEDUP_TTL_MS,
  });
  const outcome = duplicate ? 'duplicate' : 'enqueued';
  deps.metrics.reconciledRecords.inc({ datasheet: datasheetId, outcome });
  return { recordId: record.recordId, updatedAt: record.updatedAt, outcome, jobId };
}
