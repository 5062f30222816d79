import { pingDb, type PrismaClient } from '@bridge/db';
import type { Logger } from '@bridge/logger';
import type { Metrics } from '@bridge/metrics';
import { queueDepths } from '@bridge/ops';
import { pingRedis, type BridgeQueues } from '@bridge/queues';
import type { Redis } from 'ioredis';
import { Router } from 'express';
import { metricsEndpoint, type RawHandler } from '@bridge/http-server';

export interface ProbeDeps {
  db: PrismaClient;
  redis: Redis;
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
export function dashboardMetrics({ queues, metrics, logger, metricsAccess }: ProbeDeps): RawHandler {
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
