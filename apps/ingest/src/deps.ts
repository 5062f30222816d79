import { ingestDurability, redisTopology, type Config } from '@bridge/config';
import { createDb, createDeliveryWriter, pingDb, type DeliveryWriter, type PrismaClient } from '@bridge/db';
import { createLogger, logErrorsThrottled, type Logger } from '@bridge/logger';
import { createMetrics, type Metrics } from '@bridge/metrics';
import {
  closeQueues,
  createQueues,
  createRedis,
  pingRedis,
  retryOverrideFromConfig,
  type BridgeQueues,
  type RedisConnection,
} from '@bridge/queues';
import { datasheetsFromConfig, type ConfiguredDatasheets } from '@bridge/webhooks';
import { withTimeLimit } from '@bridge/errors';
import { unauthenticatedLimitsFromConfig, type UnauthenticatedLimits } from './unauthenticated';
import type { EnqueueTarget } from './enqueue-within';

/** The sections ingest reads; `jobs` because attempts and backoff are fixed when a job is added. */
export const INGEST_SECTIONS = ['ingest', 'datasheets', 'jobs', 'http', 'limits'] as const;
export type IngestConfig = Config<(typeof INGEST_SECTIONS)[number]>;

export interface IngestDeps {
  config: IngestConfig;
  /** The three configured datasheets, which route deliveries to queues. */
  datasheets: ConfiguredDatasheets;
  /** The producer connection: no offline queue, so a Redis outage fails fast. */
  redis: RedisConnection;
  queues: BridgeQueues;
  /** Where and how hard a job is stored before its 202 (WAIT for replicas, hold through a failover). */
  enqueueTarget: EnqueueTarget;
  db: PrismaClient;
  deliveries: DeliveryWriter;
  /** What unauthenticated requests may cost (INGEST_UNAUTH_*), counted in Redis. */
  limits: UnauthenticatedLimits;
  logger: Logger;
  metrics: Metrics;
  /** Clock for receivedAt and the Standard Webhooks window. @defaultValue `() => new Date()` */
  now: () => Date;
}

export interface BuildOptions {
  /** For tests: where log lines go instead of stdout. */
  logStream?: NodeJS.WritableStream;
}

/** Builds every connection ingest needs from the config; nothing is connected before the first use. */
export function buildDeps(config: IngestConfig, opts: BuildOptions = {}): IngestDeps {
  const logger = createLogger({ service: 'ingest', level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? 'json', stream: opts.logStream });
  // Auto-pipelining: the adds of concurrent requests share one write to Redis (one round trip
  // for many) instead of one each; every request still gets its 202 only once its job is stored.
  const topology = redisTopology(config);
  const redis = createRedis(topology, 'producer', { enableAutoPipelining: true });
  const queues = createQueues({
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    retry: retryOverrideFromConfig(config),
  });
  redis.on('error', logErrorsThrottled(logger, 'redis connection of ingest'));
  // A BullMQ Queue re-emits its connection's errors, and an EventEmitter without an
  // 'error' listener would throw them: they are the same errors, already logged above.
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  const db = createDb({ databaseUrl: config.DATABASE_URL });
  const metrics = createMetrics('ingest');
  redis.on('reconnecting', () => metrics.redisReconnects.inc({ connection: 'producer' }));
  const deliveries = createDeliveryWriter(db, {
    maxBatch: config.DELIVERY_BATCH_SIZE,
    flushMs: config.DELIVERY_FLUSH_MS,
    maxBuffered: config.DELIVERY_BUFFER_MAX,
    logger,
    onRefused: (_row, sqlState) => metrics.dbRowsRefused.inc({ table: 'WebhookDelivery', sqlstate: sqlState }),
  });
  return {
    config,
    datasheets: datasheetsFromConfig(config),
    redis,
    queues,
    enqueueTarget: {
      queues,
      redis,
      timeoutMs: config.INGEST_REDIS_TIMEOUT_MS,
      durability: ingestDurability(config),
      prefix: config.QUEUE_PREFIX,
      onWaitFailed: () => metrics.redisWaitFailures.inc(),
      onHoldEnded: (outcome) => metrics.redisFailoverHolds.inc({ outcome }),
    },
    db,
    deliveries,
    limits: unauthenticatedLimitsFromConfig(config, redis),
    logger,
    metrics,
    now: () => new Date(),
  };
}

/**
 * Opens the Redis and Postgres connections before the first request needs them (the first
 * Postgres query also loads Prisma's query compiler), so neither the first webhook nor the
 * first readiness probe pays for it. Never throws: a service that is down is reported by /readyz.
 */
export async function warmUp(deps: IngestDeps, timeoutMs = 5000): Promise<{ redis: boolean; postgres: boolean }> {
  const [redis, postgres] = await Promise.all([
    redisReady(deps.redis, timeoutMs).then((ready) => ready && pingRedis(deps.redis, timeoutMs)),
    withTimeLimit(pingDb(deps.db), timeoutMs, () => false),
  ]);
  return { redis, postgres };
}

/** Waits until the connection is ready: without an offline queue, commands sent earlier fail at once. */
async function redisReady(redis: RedisConnection, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  let onReady: (() => void) | undefined;
  const ready = new Promise<boolean>((resolve) => {
    onReady = () => resolve(true);
    redis.once('ready', onReady);
  });
  try {
    return await withTimeLimit(ready, timeoutMs, () => false);
  } finally {
    if (onReady) redis.off('ready', onReady);
  }
}

/** Closes in dependency order: the delivery rows are flushed while Postgres is still open. */
export async function closeDeps(deps: IngestDeps): Promise<void> {
  await deps.deliveries.close();
  await closeQueues(deps.queues).catch((err: unknown) => deps.logger.warn('closing queues failed', { error: String(err) }));
  await deps.redis.quit().catch(() => deps.redis.disconnect());
  await deps.db.$disconnect();
}
