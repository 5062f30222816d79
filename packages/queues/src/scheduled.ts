import { Queue, type ConnectionOptions } from 'bullmq';
import { queuePrefix } from './connection';

/**
 * Jobs made by a job scheduler (reconcile, retention). A failed run is not retried: the next
 * interval does the same work. Runs are kept a day (completed) and a week (failed) so Bull
 * Board shows recent history.
 */
export const SCHEDULED_RUN_OPTIONS = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
};

/** A queue of scheduled runs: data type T itself and plain string names (BullMQ would derive both from T). */
export type ScheduledQueue<T> = Queue<T, unknown, string, T, unknown, string>;

export function createScheduledQueue<T>(name: string, opts: { connection: ConnectionOptions; prefix: string }): ScheduledQueue<T> {
  return new Queue<T, unknown, string, T, unknown, string>(name, {
    connection: opts.connection,
    prefix: queuePrefix(opts.prefix, name, opts.connection),
    defaultJobOptions: SCHEDULED_RUN_OPTIONS,
  });
}

/**
 * Makes (or updates) one schedule: a job every `everyMs`, the first one at once. Upserting the
 * same id from every process keeps a single schedule; `everyMs = 0` removes it everywhere.
 */
export async function upsertSchedule<T extends { kind: string }>(
  queue: ScheduledQueue<T>,
  schedulerId: string,
  everyMs: number,
  data: T,
): Promise<void> {
  if (everyMs <= 0) {
    await queue.removeJobScheduler(schedulerId);
    return;
  }
  await queue.upsertJobScheduler(schedulerId, { every: everyMs }, { name: data.kind, data, opts: SCHEDULED_RUN_OPTIONS });
}
