import { permanent } from '@bridge/errors';
import { QUEUE_NAMES, type BridgeQueues, type QueueName } from '@bridge/queues';
import type { Job } from 'bullmq';
import { checkWindow } from './time-window';

export interface FailedJobFilter {
  /** One queue; all three when missing. */
  queue?: QueueName;
  /** Failed at or after (the job's `finishedOn`, else its `timestamp`). */
  since?: Date;
  /** Failed at or before. */
  until?: Date;
  /** AITable record id in the job data (`recordId`, or `orderRecordId` of an audit result). */
  recordId?: string;
  /** Case-insensitive text searched in the failure reason and the stack traces. */
  errorIncludes?: string;
  /** Most matches returned, newest first. @defaultValue 1000 */
  limit?: number;
  /** Most failed jobs read per queue, so a huge failed set cannot stall a request. @defaultValue 50000 */
  maxScan?: number;
}

/** A failed job and the facts an operator filters and reads by. */
export interface FailedJob {
  queue: QueueName;
  id: string;
  name: string;
  recordId?: string;
  datasheetId?: string;
  requestId?: string;
  failedReason: string;
  attemptsMade: number;
  failedAt: Date;
  /** The BullMQ job itself, for replayJobs. */
  job: Job;
}

export interface FailedJobsResult {
  jobs: FailedJob[];
  /** Failed jobs read from Redis to find these. */
  scanned: number;
  /** True when the limit or the scan bound stopped the search before the window was covered. */
  truncated: boolean;
}

const PAGE = 200;
/** Largest `limit` a search accepts. */
export const MAX_LIMIT = 10_000;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The facts of one failed BullMQ job. */
export function asFailedJob(queue: QueueName, job: Job): FailedJob {
  const data = (job.data ?? {}) as Record<string, unknown>;
  return {
    queue,
    id: String(job.id),
    name: job.name,
    recordId: str(data.recordId) ?? str(data.orderRecordId),
    datasheetId: str(data.datasheetId),
    requestId: str(data.requestId),
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    failedAt: new Date(job.finishedOn ?? job.timestamp),
    job,
  };
}

function matches(f: FailedJob, filter: FailedJobFilter, needle: string | undefined): boolean {
  const t = f.failedAt.getTime();
  if (filter.since && t < filter.since.getTime()) return false;
  if (filter.until && t > filter.until.getTime()) return false;
  if (filter.recordId && f.recordId !== filter.recordId) return false;
  if (needle) {
    const hay = [f.failedReason, ...(f.job.stacktrace ?? [])].join('\n').toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

async function scanQueue(queue: QueueName, q: BridgeQueues[QueueName], filter: FailedJobFilter, limit: number, maxScan: number) {
  const needle = filter.errorIncludes?.toLowerCase();
  const found: FailedJob[] = [];
  let scanned = 0;
  // The failed set is scored by finish time and read newest first, so the scan can stop at
  // the first page that reaches past `since`.
  for (let start = 0; start < maxScan; start += PAGE) {
    const page = (await q.getFailed(start, Math.min(start + PAGE, maxScan) - 1)).filter((j): j is Job => Boolean(j));
    if (page.length === 0) return { found, scanned, truncated: false };
    scanned += page.length;
    let pastWindow = false;
    for (const job of page) {
      const f = asFailedJob(queue, job);
      if (filter.since && f.failedAt.getTime() < filter.since.getTime()) pastWindow = true;
      else if (matches(f, filter, needle)) found.push(f);
      if (found.length >= limit) return { found, scanned, truncated: true };
    }
    if (pastWindow) return { found, scanned, truncated: false };
  }
  return { found, scanned, truncated: scanned >= maxScan };
}

/**
 * Failed jobs matching every given filter, newest first, read page by page from the BullMQ
 * failed sets (bounded by `limit` and `maxScan`).
 */
export async function findFailedJobs(queues: BridgeQueues, filter: FailedJobFilter = {}): Promise<FailedJobsResult> {
  checkWindow(filter.since, filter.until);
  const limit = filter.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw permanent('invalid_argument', `limit must be an integer from 1 to ${MAX_LIMIT}`, {
      httpStatus: 400,
      details: { field: 'limit' },
    });
  }
  if (filter.queue !== undefined && !QUEUE_NAMES.includes(filter.queue)) {
    throw permanent('invalid_argument', `queue must be one of ${QUEUE_NAMES.join(', ')}`, { httpStatus: 400, details: { field: 'queue' } });
  }
  const names = filter.queue ? [filter.queue] : QUEUE_NAMES;
  const results = await Promise.all(names.map((n) => scanQueue(n, queues[n], filter, limit, filter.maxScan ?? 50_000)));
  const all = results.flatMap((r) => r.found).sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime());
  return {
    jobs: all.slice(0, limit),
    scanned: results.reduce((n, r) => n + r.scanned, 0),
    truncated: all.length > limit || results.some((r) => r.truncated),
  };
}

/** What a listing shows of a failed job, as plain JSON (unmasked: the dashboard and the CLI mask what people read). */
export function failedJobView(f: FailedJob) {
  return {
    queue: f.queue,
    id: f.id,
    name: f.name,
    recordId: f.recordId,
    datasheetId: f.datasheetId,
    requestId: f.requestId,
    failedReason: f.failedReason,
    attemptsMade: f.attemptsMade,
    failedAt: f.failedAt.toISOString(),
    data: f.job.data as unknown,
  };
}
export type FailedJobView = ReturnType<typeof failedJobView>;
