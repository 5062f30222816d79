import { QUEUE_NAMES, type BridgeQueues, type QueueName } from '@bridge/queues';

/** One queue now: jobs waiting to run, failed jobs kept, and how long the oldest waiting job has waited. */
export interface QueueHealth {
  queue: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Seconds since the oldest waiting job was queued; 0 when none waits. */
  oldestWaitingSeconds: number;
}

/** Read from Redis at call time (BullMQ pushes new jobs at the head of the wait list, so the tail is the oldest). */
export async function queueHealth(queues: BridgeQueues, now: Date = new Date()): Promise<QueueHealth[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (queue) => {
      const q = queues[queue];
      const [counts, oldest] = await Promise.all([
        q.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        q.getJobs(['wait'], 0, 0, true),
      ]);
      const queuedAt = oldest[0]?.timestamp;
      return {
        queue,
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        oldestWaitingSeconds: queuedAt === undefined ? 0 : Math.max(0, Math.round((now.getTime() - queuedAt) / 1000)),
      };
    }),
  );
}
