import { Queue, type ConnectionOptions } from 'bullmq';
import type { ScheduledQueueDefinition } from './catalog';
import { jobOptionsOf } from './job-options';
import { queuePrefix } from './connection';

/** A queue of scheduled runs: data type T itself and plain string names (BullMQ would derive both from T). */
export type ScheduledQueue<T> = Queue<T, unknown, string, T, unknown, string>;

export function createScheduledQueue<T>(
  def: ScheduledQueueDefinition,
  opts: { connection: ConnectionOptions; prefix: string },
): ScheduledQueue<T> {
  return new Queue<T, unknown, string, T, unknown, string>(def.name, {
    connection: opts.connection,
    prefix: queuePrefix(opts.prefix, def.name, opts.connection),
    defaultJobOptions: jobOptionsOf(def),
  });
}

/**
 * Makes (or updates) a queue's one schedule: a job every `everyMs`, the first one at once.
 * Upserting the same id from every process keeps a single schedule; `everyMs = 0` removes it everywhere.
 */
export async function upsertSchedule<T extends { kind: string }>(
  queue: ScheduledQueue<T>,
  def: ScheduledQueueDefinition,
  everyMs: number,
  data: T,
): Promise<void> {
  const { schedulerId } = def.schedule;
  if (everyMs <= 0) {
    await queue.removeJobScheduler(schedulerId);
    return;
  }
  await queue.upsertJobScheduler(schedulerId, { every: everyMs }, { name: data.kind, data, opts: jobOptionsOf(def) });
}
