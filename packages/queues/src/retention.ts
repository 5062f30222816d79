import type { ConnectionOptions } from 'bullmq';
import { JOBS, type RetentionJob } from './catalog';
import { createScheduledQueue, upsertSchedule, type ScheduledQueue } from './scheduled';

/** The `retention` queue of the catalog: one job per interval deletes expired rows. */
export const RETENTION_QUEUE = JOBS.retention.name;
export const RETENTION_SCHEDULER_ID = JOBS.retention.schedule.schedulerId;

export function createRetentionQueue(opts: { connection: ConnectionOptions; prefix: string }): ScheduledQueue<RetentionJob> {
  return createScheduledQueue<RetentionJob>(JOBS.retention, opts);
}

/** Makes (or updates) the schedule, first run at once; `everyMs = 0` removes it everywhere. */
export async function scheduleRetention(queue: ScheduledQueue<RetentionJob>, everyMs: number): Promise<void> {
  await upsertSchedule<RetentionJob>(queue, JOBS.retention, everyMs, { kind: 'retention.run' });
}
