import { redisTopology } from '@bridge/config';
import {
  backoffDelay,
  BACKOFF_TYPE,
  createRedis,
  queuePrefix,
  type QueueName,
  type RECONCILE_QUEUE,
  type RETENTION_QUEUE,
  type RedisConnection,
} from '@bridge/queues';
import { Worker, type Processor } from 'bullmq';
import type { WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { auditResultsProcessor } from './processors/audit-results';
import { leadsProcessor } from './processors/leads';
import { ordersProcessor } from './processors/orders';
import { logErrorsThrottled } from './redis-errors';

const PROCESSORS: Record<QueueName, (deps: WorkerDeps) => Processor> = {
  leads: leadsProcessor,
  orders: ordersProcessor,
  'audit-results': auditResultsProcessor,
};

const concurrencyOf = (config: WorkerConfig, queue: QueueName): number =>
  ({
    leads: config.WORKER_CONCURRENCY_LEADS,
    orders: config.WORKER_CONCURRENCY_ORDERS,
    'audit-results': config.WORKER_CONCURRENCY_AUDIT_RESULTS,
  })[queue];

export interface RunningWorker {
  queue: QueueName | typeof RECONCILE_QUEUE | typeof RETENTION_QUEUE;
  worker: Worker;
  connection: RedisConnection;
}

/**
 * One BullMQ worker per queue of `WORKER_QUEUES`, each on its own Redis connection. Attempts
 * come with each job (set by the producer); the delay between them is ours: `capped-jitter`.
 */
export function startWorkers(config: WorkerConfig, deps: WorkerDeps): RunningWorker[] {
  return config.WORKER_QUEUES.map((queue) => {
    const connection = createRedis(redisTopology(config), 'worker');
    connection.on('error', logErrorsThrottled(deps.logger, `redis connection of the ${queue} worker`));
    connection.on('reconnecting', () => deps.metrics.redisReconnects.inc({ connection: 'worker' }));
    const worker = new Worker(queue, PROCESSORS[queue](deps), {
      connection,
      prefix: queuePrefix(config.QUEUE_PREFIX, queue, connection),
      concurrency: concurrencyOf(config, queue),
      lockDuration: config.WORKER_JOB_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) => {
          if (type !== BACKOFF_TYPE) throw new Error(`Unknown backoff type ${type ?? '(none)'}; jobs of this bridge use ${BACKOFF_TYPE}`);
          return backoffDelay(attemptsMade, { backoffMs: config.JOB_BACKOFF_MS, backoffMaxMs: config.JOB_BACKOFF_MAX_MS });
        },
      },
    });
    worker.on('error', logErrorsThrottled(deps.logger, `${queue} worker`));
    worker.on('stalled', (jobId) =>
      deps.logger.warn('job stalled (its worker stopped renewing the lock); it runs again', { queue, jobId }),
    );
    return { queue, worker, connection };
  });
}
