import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The `retention` queue: one job per interval, made by a BullMQ job scheduler, deletes sync
 * history and delivery rows older than the configured days. Like `reconcile`, kept apart from
 * the event queues ingest feeds.
 */
export const RETENTION_QUEUE = 'retention';

/** Id of the one job scheduler: upserting it from every worker process keeps a single schedule. */
export const RETENTION_SCHEDULER_ID = 'prune-expired-rows';

export const retentionJobSchema = z.object({ kind: z.literal('retention.run') });
export type RetentionJob = z.infer<typeof retentionJobSchema>;

/** A failed run is not retried: the next interval deletes the same rows. */
const RUN_OPTIONS = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 200 },
  removeOnFail: { age: 7 * 24 * 3600, count: 200 },
};

export function createRetentionQueue(opts: { connection: ConnectionOptions; prefix: string }): Queue<RetentionJob> {
  return new Queue<RetentionJob>(RETENTION_QUEUE, { connection: opts.connection, prefix: opts.prefix, defaultJobOptions: RUN_OPTIONS });
}

/** Makes (or updates) the schedule, first run at once; `everyMs = 0` removes it everywhere. */
export async function scheduleRetention(queue: Queue<RetentionJob>, everyMs: number): Promise<void> {
  if (everyMs <= 0) {
    await queue.removeJobScheduler(RETENTION_SCHEDULER_ID);
    return;
  }
  const data: RetentionJob = { kind: 'retention.run' };
  await queue.upsertJobScheduler(RETENTION_SCHEDULER_ID, { every: everyMs }, { name: data.kind, data, opts: RUN_OPTIONS });
}
