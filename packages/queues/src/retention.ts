import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { createScheduledQueue, upsertSchedule, type ScheduledQueue } from './scheduled';

/**
 * The `retention` queue: one job per interval, made by a BullMQ job scheduler, deletes sync
 * history and delivery rows older than the configured days (a failed run is not retried: the
 * next one deletes the same rows). Like `reconcile`, kept apart from the event queues ingest feeds.
 */
export const RETENTION_QUEUE = 'retention';

/** Id of the one job scheduler: upserting it from every worker process keeps a single schedule. */
export const RETENTION_SCHEDULER_ID = 'prune-expired-rows';

export const retentionJobSchema = z.object({ kind: z.literal('retention.run') });
export type RetentionJob = z.infer<typeof retentionJobSchema>;

export function createRetentionQueue(opts: { connection: ConnectionOptions; prefix: string }): ScheduledQueue<RetentionJob> {
  return createScheduledQueue<RetentionJob>(RETENTION_QUEUE, opts);
}

/** Makes (or updates) the schedule, first run at once; `everyMs = 0` removes it everywhere. */
export async function scheduleRetention(queue: ScheduledQueue<RetentionJob>, everyMs: number): Promise<void> {
  await upsertSchedule<RetentionJob>(queue, RETENTION_SCHEDULER_ID, everyMs, { kind: 'retention.run' });
}
