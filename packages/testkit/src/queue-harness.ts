import {
  closeQueues,
  createQueues,
  createRedis,
  enqueue,
  QUEUE_NAMES,
  type AitableEventJob,
  type BridgeQueues,
  type QueueName,
  type RedisConnection,
} from '@bridge/queues';
import { TEST_REDIS_URL, uniquePrefix, waitFor } from '@bridge/testkit-base';
import { deleteKeysUnder } from './queues';
import { Worker, type Job } from 'bullmq';
import { randomUUID } from 'node:crypto';

/** Attempts per job in these tests: small, so exhausting them is quick. */
export const ATTEMPTS = 3;

/**
 * Real queues under a unique prefix, and real BullMQ workers standing in for the bridge's
 * workers during an outage of the external service: a job fails with the error text set for
 * its record, as many times as `outage` says, then succeeds.
 */
export interface QueueHarness {
  prefix: string;
  redis: RedisConnection;
  queues: BridgeQueues;
  /** Record id → failures still to come; each failing attempt uses one. */
  outage: Map<string, number>;
  /** Record id → error text of its failures. @defaultValue 'MissionX answered 503' */
  errorText: Map<string, string>;
  /** Attempts each record's jobs started, to prove a replay ran them again. */
  runs: Map<string, number>;
  addJob(queue: QueueName, recordId: string, extra?: Partial<AitableEventJob>): Promise<string>;
  /** Adds a job for a record that fails every attempt and waits until it is in the failed set. */
  failJob(queue: QueueName, recordId: string, error?: string, extra?: Partial<AitableEventJob>): Promise<Job>;
  waitForState(queue: QueueName, jobId: string, state: string): Promise<Job>;
  close(): Promise<void>;
}

export function startQueueHarness(opts: { workers?: readonly QueueName[] } = {}): QueueHarness {
  const prefix = uniquePrefix('ops');
  const redis = createRedis(TEST_REDIS_URL, 'producer', { enableOfflineQueue: true });
  const queues = createQueues({ connection: redis, prefix, retry: { attempts: ATTEMPTS, backoffMs: 5 } });
  const outage = new Map<string, number>();
  const errorText = new Map<string, string>();
  const runs = new Map<string, number>();
  const workerConn = createRedis(TEST_REDIS_URL, 'worker');
  const workers = (opts.workers ?? QUEUE_NAMES).map(
    (name) =>
      new Worker(
        name,
        async (job: Job<AitableEventJob>) => {
          const rec = job.data.recordId;
          runs.set(rec, (runs.get(rec) ?? 0) + 1);
          const left = outage.get(rec) ?? 0;
          if (left > 0) {
            outage.set(rec, left - 1);
            throw new Error(errorText.get(rec) ?? 'MissionX answered 503');
          }
          return { portal: `client-${rec}` };
        },
        { connection: workerConn, prefix, concurrency: 5, settings: { backoffStrategy: () => 5 } },
      ),
  );

  const addJob: QueueHarness['addJob'] = async (queue, recordId, extra = {}) => {
    const id = randomUUID();
    const payload: AitableEventJob = {
      kind: 'aitable.event',
      deliveryId: id,
      requestId: `req-${id}`,
      receivedAt: new Date().toISOString(),
      datasheetId: 'dstTest',
      recordId,
      eventType: 'record.created',
      ...extra,
    };
    const { jobId } = await enqueue(queues[queue], payload, { jobId: id });
    return jobId;
  };

  const waitForState: QueueHarness['waitForState'] = (queue, jobId, state) =>
    waitFor(
      async () => {
        // State first, then the job: a job read before it finished would carry a stale returnvalue.
        if ((await queues[queue].getJobState(jobId)) !== state) return undefined;
        return queues[queue].getJob(jobId);
      },
      { what: `job ${queue}/${jobId} to be ${state}`, timeoutMs: 15_000 },
    );

  return {
    prefix,
    redis,
    queues,
    outage,
    errorText,
    runs,
    addJob,
    waitForState,
    async failJob(queue, recordId, error, extra) {
      outage.set(recordId, ATTEMPTS);
      if (error) errorText.set(recordId, error);
      const id = await addJob(queue, recordId, extra);
      return waitForState(queue, id, 'failed');
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
      await closeQueues(queues);
      await Promise.all([redis.quit(), workerConn.quit()]);
      // Whatever else used the prefix (the board's scheduled queues, limiter or checkpoint keys) goes too.
      await deleteKeysUnder(prefix);
    },
  };
}
