import { pingDb } from '@bridge/db';
import { transient } from '@bridge/errors';
import { metricsEndpoint, type RawHandler } from '@bridge/http-server';
import { pingRedis } from '@bridge/queues';
import { Router } from 'express';
import type { IngestDeps } from '../deps';
import { withTimeLimit } from '@bridge/errors';

/** The Prometheus scrape, behind METRICS_TOKEN when it is set. */
export const ingestMetrics = (deps: IngestDeps): RawHandler =>
  metricsEndpoint({ registry: deps.metrics.registry, token: deps.config.METRICS_TOKEN });

/** Liveness, readiness (Redis and Postgres answer) and the Prometheus scrape (unless it has a port of its own). */
export function healthRoutes(deps: IngestDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const ms = deps.config.INGEST_REDIS_TIMEOUT_MS;
    const [redisUp, dbUp] = await Promise.all([pingRedis(deps.redis, ms), withTimeLimit(pingDb(deps.db), ms, () => false)]);
    const state = { redis: redisUp ? 'up' : 'down', postgres: dbUp ? 'up' : 'down' };
    if (!redisUp || !dbUp) {
      const down = Object.entries(state)
        .filter(([, v]) => v === 'down')
        .map(([k]) => k);
      throw transient('not_ready', `Not ready: ${down.join(' and ')} ${down.length > 1 ? 'do' : 'does'} not answer`, { details: state });
    }
    res.json({ status: 'ready', ...state });
  });

  if (deps.config.INGEST_METRICS_PORT === undefined) router.get('/metrics', ingestMetrics(deps));
  return router;
}
