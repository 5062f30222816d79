import type http from 'node:http';
import { describeError } from '@bridge/errors';
import { openPool } from '@bridge/db';
import { httpTimeoutsFromConfig, listen } from '@bridge/http-server';
import type { Logger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { JOBS, type QueueName } from '@bridge/queues';
import { checkMappedFieldsPatiently } from './check-fields';
import { createDeps, WORKER_DB_POOL, type WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { createMetricsServer } from './metrics-server';
import { startMissionxPoll } from './start-missionx-poll';
import { startReconcile } from './start-reconcile';
import { startRetention } from './start-retention';
import { startWorkers, type RunningWorker } from './start-workers';

export interface WorkerRuntime {
  deps: WorkerDeps;
  workers: RunningWorker[];
  /** Port of the metrics server (useful when `WORKER_METRICS_PORT=0`). */
  metricsPort: number;
  /**
   * Stops taking jobs and lets active ones finish, for at most `SHUTDOWN_TIMEOUT_MS`; then
   * drops the connections (unfinished jobs are picked up again by another worker as stalled).
   * Flushes batched writes (AITable, sync history) and closes the server, Redis and Postgres. Safe to call twice.
   */
  shutdown(): Promise<{ forced: boolean }>;
}

/**
 * Everything `main.ts` starts, as one function a test can call: deps, the start-up field check
 * (throws, naming the missing field and datasheet, before any job is taken; retried while AITable
 * answers 429 or 5xx), the workers and the metrics server.
 */
export async function startWorkerRuntime(config: WorkerConfig, logger: Logger): Promise<WorkerRuntime> {
  const metrics = createMetrics('worker');
  const built = createDeps(config, logger, metrics);
  // Not awaited: the field check takes longer, and a Postgres that is down must not hold the start (its jobs wait it out).
  void openPool(built.db, WORKER_DB_POOL);
  try {
    await checkMappedFieldsPatiently(config.WORKER_QUEUES, built.deps);
  } catch (err) {
    await Promise.allSettled([built.redis.quit(), built.db.$disconnect()]);
    throw err;
  }
  const workers = startWorkers(config, built.deps);
  // Each schedule runs in the process that consumes the queue its catalog entry names (off at *_INTERVAL_MS=0).
  const hosts = (def: { hostedWith: QueueName }) => config.WORKER_QUEUES.includes(def.hostedWith);
  const reconcile = hosts(JOBS.reconcile) ? await startReconcile(config, built.deps, built.db) : undefined;
  if (reconcile) workers.push(reconcile);
  const retention = hosts(JOBS.retention) ? await startRetention(config, built.deps, built.db) : undefined;
  if (retention) workers.push(retention);
  const poll = hosts(JOBS.missionxPoll) ? await startMissionxPoll(config, built.deps) : undefined;
  if (poll) workers.push(poll);
  const server = createMetricsServer(metrics, () => workers, { timeouts: httpTimeoutsFromConfig(config), token: config.METRICS_TOKEN });
  const metricsPort = await listen(server, config.WORKER_METRICS_PORT);
  logger.info('worker started', { queues: config.WORKER_QUEUES, metricsPort });

  let stopping: Promise<{ forced: boolean }> | undefined;
  const shutdown = () => (stopping ??= stop(config.SHUTDOWN_TIMEOUT_MS, workers, server, built, logger));
  return { deps: built.deps, workers, metricsPort, shutdown };
}

async function stop(
  timeoutMs: number,
  workers: RunningWorker[],
  server: http.Server,
  built: ReturnType<typeof createDeps>,
  logger: Logger,
) {
  logger.info('shutting down: no new jobs, waiting for active ones', { timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  const graceful = Promise.all(workers.map((w) => w.worker.close())).then(() => false);
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
  const forced = await Promise.race([graceful, deadline]);
  clearTimeout(timer);
  if (forced) {
    // close(true) would only return the graceful close already under way (BullMQ keeps one
    // closing promise), so the connections are dropped instead: the unfinished jobs' locks
    // lapse and another worker takes them up as stalled.
    logger.warn('shutdown timeout reached: dropping connections; unfinished jobs will be taken up again as stalled');
  } else {
    await built.deps.aitable.flush().catch((err: unknown) => logger.warn('batched writes not flushed', { error: describeError(err) }));
  }
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections(); // a scraper's keep-alive socket must not hold the exit
  });
  const connections = [...workers.map((w) => w.connection), built.redis];
  if (forced) connections.forEach((c) => c.disconnect());
  // History rows of the attempts that ended, and the insight counts, are written while Postgres is still open.
  await Promise.all([built.history.close(), built.counts.close()]);
  // A QUIT that fails (the connection was between primaries) would leave it reconnecting for good: drop it then.
  await Promise.allSettled([...(forced ? [] : connections.map((c) => c.quit().catch(() => c.disconnect()))), built.db.$disconnect()]);
  logger.info('worker stopped', { forced });
  return { forced };
}
