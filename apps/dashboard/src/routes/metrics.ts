import { pingDb, type PrismaClient } from '@bridge/db';
import type { Logger } from '@bridge/logger';
import type { Metrics } from '@bridge/metrics';
import { lastDeliveryTimes, queueDepths, queueHealth } from '@bridge/ops';
import { pingRedis, type BridgeQueues, type RedisConnection } from '@bridge/queues';
import { Router } from 'express';
import { metricsEndpoint, type RawHandler } from '@bridge/http-server';

export interface ProbeDeps {
  db: PrismaClient;
  redis: RedisConnection;
  queues: BridgeQueues;
  metrics: Metrics;
  logger: Logger;
  /** How /metrics is reached. @defaultValue open, on the dashboard's port */
  metricsAccess?: MetricsAccess;
}

export interface MetricsAccess {
  /** METRICS_TOKEN: /metrics then needs `Authorization: Bearer <token>`. */
  token?: string;
  /** DASHBOARD_METRICS_PORT is set: /metrics is served there, not by the app. */
  ownPort?: boolean;
}

/** The Prometheus scrape, with queue depths read at scrape time so the gauge is never older than the scrape. */
export function dashboardMetrics({ db, queues, metrics, logger, metricsAccess }: ProbeDeps): RawHandler {
  const beforeScrape = async () => {
    try {
      const depths = await queueDepths(queues);
      metrics.queueJobs.reset();
      for (const [queue, counts] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue, state }, n);
      }
    } catch (err) {
      // A stale depth would look like a healthy one: drop the series instead.
      metrics.queueJobs.reset();
      logger.warn('queue depths unavailable for /metrics', { error: err instanceof Error ? err.message : String(err) });
    }
    await Promise.all([readOldestWaiting(queues, metrics, logger), readLastDeliveries(db, metrics, logger)]);
  };
  return metricsEndpoint({ registry: metrics.registry, token: metricsAccess?.token, beforeScrape });
}

/** `/metrics` (unless on its own port) and `/healthz` for the platform; neither needs a login nor shows personal data. */
export function probeRoutes(deps: ProbeDeps): Router {
  const { db, redis } = deps;
  const r = Router();
  if (!deps.metricsAccess?.ownPort) r.get('/metrics', dashboardMetrics(deps));

  r.get('/healthz', async (_req, res) => {
    const [redisOk, dbOk] = await Promise.all([pingRedis(redis, 1000), pingDb(db)]);
    res.status(redisOk && dbOk ? 200 : 503).json({ ok: redisOk && dbOk, redis: redisOk, postgres: dbOk });
  });

  return r;
}

// Like the depths: set at scrape time, and dropped (not left stale) when the store does not answer.
async function readOldestWaiting(queues: BridgeQueues, metrics: Metrics, logger: Logger): Promise<void> {
  metrics.queueOldestWaiting.reset();
  try {
    for (const q of await queueHealth(queues)) metrics.queueOldestWaiting.set({ queue: q.queue }, q.oldestWaitingSeconds);
  } catch (err) {
    metrics.queueOldestWaiting.reset();
    logger.warn('oldest waiting job unavailable for /metrics', { error: err instanceof Error ? err.message : String(err) });
  }
}

async function readLastDeliveries(db: PrismaClient, metrics: Metrics, logger: Logger): Promise<void> {
  metrics.lastDelivery.reset();
  try {
    for (const [outcome, at] of Object.entries(await lastDeliveryTimes(db))) metrics.lastDelivery.set({ outcome }, at.getTime() / 1000);
  } catch (err) {
    logger.warn('last delivery times unavailable for /metrics', { error: err instanceof Error ? err.message : String(err) });
  }
}
