import { redisTopology } from '@bridge/config';
import {
  concurrencyVariable,
  createRedis,
  eventJob,
  queuePrefix,
  legacyBackoffDelay,
  LEGACY_BACKOFF_TYPE,
  SlowStart,
  type AnyQueueName,
  type ScheduledQueueDefinition,
  type RedisConnection,
} from '@bridge/queues';
import { withLogContext } from '@bridge/logger';
import { UnrecoverableError, Worker, type Processor } from 'bullmq';
import type { ZodType } from 'zod';
import type { WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { isBulkJob } from './job-facts';
import { HANDLERS } from './processors';
import { logErrorsThrottled } from './redis-errors';

export interface RunningWorker {
  queue: AnyQueueName;
  worker: Worker;
  connection: RedisConnection;
}

/**
 * A BullMQ worker of one catalog queue on its own Redis connection. Attempts and backoff come
 * with each job (BullMQ's `exponential`, set by the producer from the catalog); jobs added before
 * the catalog carry the legacy backoff type, answered here.
 */
function startWorker(
  config: WorkerConfig,
  deps: Pick<WorkerDeps, 'logger' | 'metrics'>,
  queue: AnyQueueName,
  processor: Processor,
  concurrency: number,
): RunningWorker {
  const connection = createRedis(redisTopology(config), 'worker');
  connection.on('error', logErrorsThrottled(deps.logger, `redis connection of the ${queue} worker`));
  connection.on('reconnecting', () => deps.metrics.redisReconnects.inc({ connection: 'worker' }));
  const worker = new Worker(queue, processor, {
    connection,
    prefix: queuePrefix(config.QUEUE_PREFIX, queue, connection),
    concurrency,
    lockDuration: config.WORKER_JOB_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string, _err?: Error, job?: { opts: { backoff?: unknown } }) => {
        if (type !== LEGACY_BACKOFF_TYPE) throw new Error(`Unknown backoff type ${type ?? '(none)'}`);
        const backoff = job?.opts.backoff as { delay?: number } | undefined;
        return legacyBackoffDelay(attemptsMade, backoff?.delay ?? 2000);
      },
    },
  });
  worker.on('error', logErrorsThrottled(deps.logger, `${queue} worker`));
  worker.on('stalled', (jobId) => deps.logger.warn('job stalled (its worker stopped renewing the lock); it runs again', { queue, jobId }));
  return { queue, worker, connection };
}

/**
 * Bulk jobs let in at once when a burst begins: enough to fill AITable's five requests of ten
 * records at once, so the limiter is busy from the first second while the window widens.
 */
const BULK_SLOW_START = { initial: 50, idleResetMs: 10_000 };

/**
 * One worker per event queue of `WORKER_QUEUES`, at the concurrency of its `WORKER_CONCURRENCY_<NAME>`.
 * Bulk jobs (a backfill's) go through the queue's slow start; live jobs never wait for it.
 */
export function startWorkers(config: WorkerConfig, deps: WorkerDeps): RunningWorker[] {
  return config.WORKER_QUEUES.map((queue) => {
    const run = HANDLERS[queue].processor(deps);
    const bulk = new SlowStart(BULK_SLOW_START);
    const processor: Processor = (job, token) => (isBulkJob(job) ? bulk.run(() => run(job, token)) : run(job, token));
    return startWorker(config, deps, eventJob(queue).name, processor, config[concurrencyVariable(queue)]);
  });
}

/** The worker of a scheduled queue, at its catalog concurrency (runs of one schedule never overlap). */
/**
 * Makes (or, at an interval of 0, removes) a scheduled queue's one job scheduler through a queue
 * opened for that alone: the scheduler makes one job per interval whatever the number of
 * processes, so each run happens once.
 */
export async function applySchedule<Q extends { close(): Promise<void> }>(queue: Q, schedule: (queue: Q) => Promise<void>): Promise<void> {
  try {
    await schedule(queue);
  } finally {
    await queue.close();
  }
}

/**
 * One scheduled run in its log context, its payload checked first: an invalid one is never
 * retried (the next interval makes a new job).
 */
export const scheduledRun =
  <T>(def: ScheduledQueueDefinition, schema: ZodType<T>, run: (payload: T) => Promise<unknown>): Processor =>
  (job) =>
    withLogContext({ queue: def.name, jobId: job.id }, async () => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Job payload of queue ${def.name} is invalid: ${parsed.error.message}`);
      return run(parsed.data);
    });

export function startScheduledWorker(
  config: WorkerConfig,
  deps: Pick<WorkerDeps, 'logger' | 'metrics'>,
  def: ScheduledQueueDefinition,
  processor: Processor,
): RunningWorker {
  return startWorker(config, deps, def.name as AnyQueueName, processor, def.concurrency);
}
