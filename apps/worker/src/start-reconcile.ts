import { unseenModifications, type PrismaClient } from '@bridge/db';
import { describeError } from '@bridge/errors';
import {
  closeQueues,
  createQueues,
  createReconcileQueue,
  JOBS,
  reconcileJobSchema,
  retryOverrideFromConfig,
  scheduleReconcile,
} from '@bridge/queues';
import type { Processor } from 'bullmq';
import type { WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { applySchedule, scheduledRun, startScheduledWorker, type RunningWorker } from './start-workers';
import { reconcileDatasheet, type ReconcileDeps, type ReconcileOptions } from './use-cases/reconcile-datasheet';

/**
 * Starts reconciliation in this process: makes (or, at `RECONCILE_INTERVAL_MS=0`, removes) the
 * one job scheduler and, unless it is off, a `reconcile` worker of concurrency 1. The scheduler
 * makes one job per interval whatever the number of processes, so each run happens once.
 */
export async function startReconcile(config: WorkerConfig, deps: WorkerDeps, db: PrismaClient): Promise<RunningWorker | undefined> {
  await applySchedule(createReconcileQueue({ connection: deps.redis, prefix: config.QUEUE_PREFIX }), (q) =>
    scheduleReconcile(q, config.RECONCILE_INTERVAL_MS),
  );
  if (config.RECONCILE_INTERVAL_MS === 0) return undefined;

  // Jobs fed by reconciliation carry the same retry policy as ingest's.
  const queues = createQueues({ connection: deps.redis, prefix: config.QUEUE_PREFIX, retry: retryOverrideFromConfig(config) });
  // A Queue re-emits its connection's errors; that connection's own listener already logs them.
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  const reconcileDeps: ReconcileDeps & Pick<WorkerDeps, 'counts'> = {
    ...deps,
    queues,
    queuePrefix: config.QUEUE_PREFIX,
    // The overlap is there for the clocks of AITable and ours; the same slack decides what a sync or webhook came after.
    unseen: (datasheetId, records) => unseenModifications(db, datasheetId, records, config.RECONCILE_OVERLAP_MS),
  };
  const running = startScheduledWorker(config, deps, JOBS.reconcile, reconcileProcessor(reconcileDeps, reconcileOptionsFromConfig(config)));
  running.worker.on('closed', () => void closeQueues(queues).catch(() => undefined));
  return running;
}

export const reconcileOptionsFromConfig = (
  config: Pick<WorkerConfig, 'RECONCILE_OVERLAP_MS' | 'RECONCILE_LOOKBACK_MS'>,
): ReconcileOptions => ({
  overlapMs: config.RECONCILE_OVERLAP_MS,
  lookbackMs: config.RECONCILE_LOOKBACK_MS,
});

/**
 * One scheduled run: every datasheet of the job in turn. A datasheet that fails does not stop
 * the others; the job then fails (it is not retried: the next interval starts from the same cursor).
 */
export const reconcileProcessor = (deps: ReconcileDeps & Pick<WorkerDeps, 'counts'>, opts: ReconcileOptions): Processor =>
  scheduledRun(JOBS.reconcile, reconcileJobSchema, async ({ targets }) => {
    const done: string[] = [];
    const failed: string[] = [];
    for (const target of targets) {
      try {
        const r = await reconcileDatasheet(target, deps, opts);
        if (r.missing) deps.counts.add('reconcile_missing', target, r.missing);
        done.push(`${target}: ${r.enqueued} enqueued, ${r.duplicates} duplicate, ${r.missing ?? 0} missing`);
      } catch (err) {
        deps.logger.warn('reconcile of a datasheet failed; the next run starts from the same cursor', {
          target,
          error: describeError(err),
        });
        failed.push(`${target}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (failed.length > 0) throw new Error(`reconcile failed for ${failed.join('; ')}`);
    return done.join('; ');
  });
