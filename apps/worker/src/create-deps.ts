import { AitableClient, aitableOptionsFromConfig } from '@bridge/aitable';
import { buildFieldMapping, datasheetsFromConfig, redisTopology, type Config } from '@bridge/config';
import {
  createDb,
  createInsightCountWriter,
  createSyncEventWriter,
  createSyncRepo,
  type InsightCountWriter,
  type PrismaClient,
  type SyncEventWriter,
} from '@bridge/db';
import type { Logger } from '@bridge/logger';
import type { Metrics } from '@bridge/metrics';
import { MissionxApiClient, missionxOptionsFromConfig } from '@bridge/missionx';
import { createRedis, type RedisConnection } from '@bridge/queues';
import type { WorkerDeps } from './deps';
import { logErrorsThrottled } from './redis-errors';

/** The config sections a worker process reads. */
export const WORKER_SECTIONS = ['worker', 'jobs', 'datasheets', 'aitableApi', 'missionx', 'reconcile', 'retention', 'http'] as const;
export type WorkerConfig = Config<(typeof WORKER_SECTIONS)[number]>;

/** The deps plus the connections they hold, which the process closes on shutdown. */
export interface BuiltDeps {
  deps: WorkerDeps;
  db: PrismaClient;
  redis: RedisConnection;
  /** Flushed on shutdown, before Postgres closes. */
  history: SyncEventWriter;
  /** Flushed on shutdown, before Postgres closes. */
  counts: InsightCountWriter;
}

/** Postgres connections of one worker process. */
export const WORKER_DB_POOL = 10;

/** Builds the clients and repositories of one worker process from its config. */
export function createDeps(config: WorkerConfig, logger: Logger, metrics: Metrics): BuiltDeps {
  // First, so a bad override fails before any connection is opened.
  const fields = buildFieldMapping(config);
  // Shared by the per-record locks and the AITable rate limiter: waits through a Redis restart, but not past its locks.
  const redis = createRedis(redisTopology(config), 'coordination');
  redis.on('error', logErrorsThrottled(logger, 'redis connection of locks and rate limiter'));
  redis.on('reconnecting', () => metrics.redisReconnects.inc({ connection: 'coordination' }));
  // Every connection stays open: a worker's work comes in bursts (a backfill, a batch of webhooks after a
  // quiet spell), and a burst that first opens ten connections at once waits 0.3-1 s for its first queries.
  const db = createDb({ databaseUrl: config.DATABASE_URL, poolSize: WORKER_DB_POOL, keepOpen: WORKER_DB_POOL });
  const call = (service: string) => (operation: string, status: string, seconds: number) => {
    metrics.externalCalls.inc({ service, operation, status });
    metrics.externalCallDuration.observe({ service, operation }, seconds);
  };
  const counts = createInsightCountWriter(db, {
    logger,
    onRefused: (_row, sqlState) => metrics.dbRowsRefused.inc({ table: 'InsightCount', sqlstate: sqlState }),
  });
  const aitable = new AitableClient(
    aitableOptionsFromConfig(config, {
      redis,
      logger,
      hooks: {
        onCall: call('aitable'),
        onRateLimitWait: (datasheet, cause, ms) => {
          metrics.rateLimitWaits.inc({ datasheet, cause });
          metrics.rateLimitWaitSeconds.inc({ datasheet }, ms / 1000);
        },
        // 429s never end an attempt (the client retries them), so only these counts put them on the insight page.
        onErrorAnswer: (_datasheet, code) => counts.add('aitable_answer', String(code)),
      },
    }),
  );
  const missionx = new MissionxApiClient(missionxOptionsFromConfig(config, { logger, hooks: { onCall: call('missionx') } }));
  const history = createSyncEventWriter(db, {
    logger,
    onRefused: (_row, sqlState) => metrics.dbRowsRefused.inc({ table: 'SyncEvent', sqlstate: sqlState }),
  });
  const deps: WorkerDeps = {
    aitable,
    missionx,
    sync: createSyncRepo(db, {
      onRefused: ({ table, sqlState }) => {
        metrics.dbRowsRefused.inc({ table, sqlstate: sqlState });
        // The job's log context names it; the key is left out, as it may be the refused value.
        logger.error('sync row refused by the database; the job fails without retry', { table, sqlState });
      },
    }),
    history,
    counts,
    redis,
    fields,
    datasheets: datasheetsFromConfig(config),
    locks: {
      ttlMs: config.WORKER_RECORD_LOCK_TTL_MS,
      busyDelayMs: config.WORKER_RECORD_BUSY_DELAY_MS,
      prefix: `${config.QUEUE_PREFIX}:lock`,
    },
    outage: {
      budgetMs: config.WORKER_OUTAGE_BUDGET_MS,
      delayMs: config.WORKER_OUTAGE_DELAY_MS,
      maxDelayMs: config.WORKER_OUTAGE_DELAY_MAX_MS,
    },
    backfillReadMaxAgeMs: config.BACKFILL_READ_MAX_AGE_MS,
    lostCreates: { clockSkewMs: config.MISSIONX_CLOCK_SKEW_MS, settleMs: config.MISSIONX_CREATE_SETTLE_MS },
    logger,
    metrics,
  };
  return { deps, db, redis, history, counts };
}
