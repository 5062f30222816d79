import type { BulkRun, PrismaClient } from '@bridge/db';
import { permanent } from '@bridge/errors';
import { ZERO_COUNTS, type BackfillCounts } from '../backfill';
import type { BulkRunKind, BulkRunRequest } from './input';

export const BULK_RUN_STATUSES = ['running', 'completed', 'cancelled', 'failed', 'interrupted'] as const;
export type BulkRunStatus = (typeof BULK_RUN_STATUSES)[number];

/** How often a running run writes its progress (and reads whether it was cancelled). */
export const HEARTBEAT_MS = 1000;
/** A run whose heartbeat is older than this lost its process (a restart, a crash): it is interrupted. */
export const STALE_MS = 15_000;

/** A run as the page and the JSON API show it. */
export interface BulkRunView {
  id: string;
  kind: BulkRunKind;
  datasheet: string;
  /** The selection as asked; a re-sync's record ids are counted in recordIdCount. */
  filter: Pick<BulkRunRequest, 'where' | 'errorCode' | 'since' | 'until'>;
  /** How many record ids a re-sync works through; null when it scans by formula. */
  recordIdCount: number | null;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  status: BulkRunStatus;
  cancelRequested: boolean;
  cancelledBy: string | null;
  error: string | null;
  restartOf: string | null;
  counts: BackfillCounts;
  /** Records examined (carried over from the checkpoint it resumed). */
  done: number;
  /** Records a worker could never sync (the `invalid` count): a person must fix them. */
  failed: number;
  total: number;
  /** Records examined per second by this run. */
  ratePerSecond: number;
  /** Seconds left at that rate; null when not running or no rate yet. */
  etaSeconds: number | null;
  /**
   * While the scan has waited 10 s or more for the workers: since when, and how many jobs wait in
   * the queue (BACKFILL_MAX_AHEAD). A worker down, or none consuming this queue; null otherwise.
   */
  paused: { since: string; waitingJobs: number } | null;
}

export const countsOf = (v: unknown): BackfillCounts => ({ ...ZERO_COUNTS, ...(v as Partial<BackfillCounts>) });

export const addCounts = (a: BackfillCounts, b: BackfillCounts): BackfillCounts => ({
  examined: a.examined + b.examined,
  enqueued: a.enqueued + b.enqueued,
  alreadyQueued: a.alreadyQueued + b.alreadyQueued,
  upToDate: a.upToDate + b.upToDate,
  invalid: a.invalid + b.invalid,
});

export function toBulkRunView(row: BulkRun): BulkRunView {
  const counts = countsOf(row.counts);
  const until = row.finishedAt ?? row.heartbeatAt;
  const seconds = Math.max(0, (until.getTime() - row.startedAt.getTime()) / 1000);
  const own = counts.examined - row.startExamined;
  const ratePerSecond = seconds > 0 && own > 0 ? Math.round((own / seconds) * 10) / 10 : 0;
  const left = Math.max(0, row.total - counts.examined);
  const ids = row.recordIds as string[] | null;
  return {
    id: row.id,
    kind: row.kind as BulkRunKind,
    datasheet: row.datasheet,
    filter: row.filter as BulkRunView['filter'],
    recordIdCount: ids ? ids.length : null,
    startedBy: row.startedBy,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    status: row.status as BulkRunStatus,
    cancelRequested: row.cancelRequestedAt !== null,
    cancelledBy: row.cancelledBy,
    error: row.error,
    restartOf: row.restartOf,
    counts,
    done: counts.examined,
    failed: counts.invalid,
    total: row.total,
    ratePerSecond,
    etaSeconds: row.status === 'running' && ratePerSecond > 0 ? Math.ceil(left / ratePerSecond) : null,
    paused:
      row.status === 'running' && row.pausedSince && row.waitingJobs !== null
        ? { since: row.pausedSince.toISOString(), waitingJobs: row.waitingJobs }
        : null,
  };
}

/**
 * Marks runs whose process stopped writing their heartbeat (a dashboard restart, a crash) as
 * interrupted: starting them again resumes from their checkpoint. `except` are this process's
 * own runs, alive whatever their last write.
 */
export async function markInterrupted(db: PrismaClient, except: readonly string[] = [], now = new Date()): Promise<number> {
  const { count } = await db.bulkRun.updateMany({
    where: { status: 'running', heartbeatAt: { lt: new Date(now.getTime() - STALE_MS) }, id: { notIn: [...except] } },
    data: {
      status: 'interrupted',
      finishedAt: now,
      error: 'the process running it stopped (a dashboard restart or a crash); start it again to resume from its checkpoint',
    },
  });
  return count;
}

const notFound = (id: string) => permanent('not_found', `No bulk run ${id.slice(0, 100)}`, { httpStatus: 404, details: { field: 'id' } });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The newest runs first (interrupted ones marked as such). */
export async function listBulkRuns(db: PrismaClient, opts: { limit?: number; except?: readonly string[] } = {}): Promise<BulkRunView[]> {
  await markInterrupted(db, opts.except);
  const rows = await db.bulkRun.findMany({ orderBy: { startedAt: 'desc' }, take: opts.limit ?? 50 });
  return rows.map(toBulkRunView);
}

export async function bulkRunRow(db: PrismaClient, id: string): Promise<BulkRun> {
  const row = UUID.test(id) ? await db.bulkRun.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(id);
  return row;
}

export async function getBulkRun(db: PrismaClient, id: string, except: readonly string[] = []): Promise<BulkRunView> {
  await markInterrupted(db, except);
  return toBulkRunView(await bulkRunRow(db, id));
}

/**
 * Asks a running run to stop: the process running it reads the request with its next heartbeat
 * and stops after the step in hand, checkpoint saved. 409 when the run is not running.
 */
export async function requestCancel(db: PrismaClient, id: string, by: string): Promise<void> {
  const row = await bulkRunRow(db, id);
  const { count } = await db.bulkRun.updateMany({
    where: { id: row.id, status: 'running' },
    data: { cancelRequestedAt: new Date(), cancelledBy: by },
  });
  if (count === 0)
    throw permanent('bulk_run_not_running', `Bulk run ${row.id} is ${row.status}, not running: there is nothing to cancel`, {
      httpStatus: 409,
    });
}
