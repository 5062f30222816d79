import { AitableClient, aitableOptionsFromConfig } from '@bridge/aitable';
import { buildFieldMapping, datasheetsFromConfig, loadConfig } from '@bridge/config';
import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { BulkRunner } from '@bridge/ops';
import { createMaskPolicy } from '@bridge/privacy';
import type { Harness } from '@bridge/worker/testing';
import type { Express } from 'express';
import { createApp } from '../src/app';
import { OPERATOR, PERSONAL_FIELDS, VIEWER } from './build-app';

/** A bulk runner over the harness's simulators, queues and database, wired as server.ts wires it. */
export function bulkRunnerFor(h: Harness, env: Record<string, string> = {}): BulkRunner {
  const config = loadConfig(h.env(env), ['datasheets', 'aitableApi', 'backfill']);
  const logger = createLogger({ service: 'dashboard-test', level: 'silent' });
  return new BulkRunner(
    {
      aitable: new AitableClient(aitableOptionsFromConfig(config, { redis: h.redis, logger })),
      redis: h.redis,
      db: h.prisma,
      queues: h.queues,
      datasheets: datasheetsFromConfig(config),
      fields: buildFieldMapping(config),
      queuePrefix: h.prefix,
    },
    { pageSize: config.BACKFILL_PAGE_SIZE, chunkSize: config.BACKFILL_CHUNK_SIZE, maxAhead: config.BACKFILL_MAX_AHEAD },
  );
}

/** The real dashboard app over the harness, with this runner. */
export function bulkDashboard(h: Harness, bulk: BulkRunner | undefined): Express {
  const config = loadConfig(h.env(), ['datasheets']);
  return createApp({
    queues: h.queues,
    db: h.prisma,
    redis: h.redis,
    datasheets: datasheetsFromConfig(config),
    users: [
      { ...OPERATOR, role: 'operator' },
      { name: VIEWER.name, password: 'sha256:952d55fa328ff96568fe99c2dc926db490f9bb41dbe780018584510ff4f4c572', role: 'viewer' },
    ],
    allowNoAuth: false,
    logger: createLogger({ service: 'dashboard-test', level: 'silent' }),
    metrics: createMetrics('dashboard'),
    mask: createMaskPolicy({ personalFields: PERSONAL_FIELDS }),
    bulk,
  });
}
