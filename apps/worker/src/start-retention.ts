import { pruneExpiredRows, type PrismaClient, type RetentionPolicy } from '@bridge/db';
import { createRetentionQueue, JOBS, retentionJobSchema, scheduleRetention } from '@bridge/queues';
import type { Processor } from 'bullmq';
import type { WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { applySchedule, scheduledRun, startScheduledWorker, type RunningWorker } from './start-workers';

/**
 * Starts the row clean-up in this process: makes (or, at `RETENTION_INTERVAL_MS=0`, removes)
 * the one job scheduler and, unless it is off, a `retention` worker of concurrency 1.
 */
export async function startRetention(config: WorkerConfig, deps: WorkerDeps, db: PrismaClient): Promise<RunningWorker | undefined> {
  await applySchedule(createRetentionQueue({ connection: deps.redis, prefix: config.QUEUE_PREFIX }), (q) =>
    scheduleRetention(q, config.RETENTION_INTERVAL_MS),
  );
  if (config.RETENTION_INTERVAL_MS === 0) return undefined;
  return startScheduledWorker(config, deps, JOBS.retention, retentionProcessor(db, deps, config));
}

export const retentionPolicyFromConfig = (config: WorkerConfig): RetentionPolicy => ({
  historyDays: config.RETENTION_HISTORY_DAYS,
  deliveryDays: config.RETENTION_DELIVERY_DAYS,
  rejectedDays: config.RETENTION_REJECTED_DAYS,
  rollupDays: config.RETENTION_ROLLUP_DAYS,
  conflictDays: config.RETENTION_CONFLICT_DAYS,
});

/** One scheduled run: deletes expired rows of every table, a batch at a time, and says how many. */
const retentionProcessor = (db: PrismaClient, deps: Pick<WorkerDeps, 'logger'>, config: WorkerConfig): Processor =>
  scheduledRun(JOBS.retention, retentionJobSchema, async () => {
    const deleted = await pruneExpiredRows(db, retentionPolicyFromConfig(config), { batchSize: config.RETENTION_BATCH_SIZE });
    deps.logger.info('expired rows deleted', { ...deleted });
    return deleted;
  });
