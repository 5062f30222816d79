import type { QueueName } from '@bridge/queues';
import type { FailedJob } from './find-failed-jobs';

export type ReplayOutcome = 'replayed' | 'would-replay' | 'skipped' | 'error';

export interface ReplayItem {
  queue: QueueName;
  jobId: string;
  outcome: ReplayOutcome;
  /** Why a job was skipped or failed to replay. */
  reason?: string;
}

export interface ReplayProgress extends ReplayItem {
  done: number;
  total: number;
}

export interface ReplayJobsOptions {
  /** List what would be replayed and change nothing. */
  dryRun: boolean;
  /** Called once per job, in order, after it was handled. */
  onProgress?: (p: ReplayProgress) => void;
  /** Who asked, written to the job's log (visible in Bull Board). */
  actor?: string;
}

export interface ReplaySummary {
  dryRun: boolean;
  matched: number;
  replayed: number;
  skipped: number;
  errors: { queue: QueueName; jobId: string; message: string }[];
  items: ReplayItem[];
}

// Both counters reset: BullMQ compares attemptsMade with opts.attempts, so a plain retry of a
// job that used all its attempts would get exactly one more try.
const RESET = { resetAttemptsMade: true, resetAttemptsStarted: true } as const;

async function replayOne(f: FailedJob, opts: ReplayJobsOptions): Promise<ReplayItem> {
  const base = { queue: f.queue, jobId: f.id };
  try {
    // The job may have been replayed, removed or cleaned since it was listed.
    const state = await f.job.getState();
    if (state !== 'failed') return { ...base, outcome: 'skipped', reason: `no longer failed (now ${state})` };
    if (opts.dryRun) return { ...base, outcome: 'would-replay' };
    // Marked, so its history rows (whose latency includes the time until someone replayed it) are told apart.
    await f.job.updateData({ ...(f.job.data as object), replayedAt: new Date().toISOString() });
    await f.job.retry('failed', RESET);
    await f.job.log(`replayed with fresh attempts at ${new Date().toISOString()}${opts.actor ? ` by ${opts.actor}` : ''}`);
    return { ...base, outcome: 'replayed' };
  } catch (err) {
    return { ...base, outcome: 'error', reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Puts failed jobs back in their queue with a fresh set of attempts, keeping their ids and
 * data (the workers are idempotent, so a job whose work was already done is harmless).
 * One job's failure does not stop the others; it is reported in `errors`.
 */
export async function replayJobs(jobs: readonly FailedJob[], opts: ReplayJobsOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { dryRun: opts.dryRun, matched: jobs.length, replayed: 0, skipped: 0, errors: [], items: [] };
  // Sequential: a few Redis round trips per job, and the progress reported stays exact.
  for (const f of jobs) {
    const item = await replayOne(f, opts);
    summary.items.push(item);
    if (item.outcome === 'replayed') summary.replayed++;
    else if (item.outcome === 'skipped') summary.skipped++;
    else if (item.outcome === 'error')
      summary.errors.push({ queue: item.queue, jobId: item.jobId, message: item.reason ?? 'unknown error' });
    opts.onProgress?.({ ...item, done: summary.items.length, total: jobs.length });
  }
  return summary;
}
