import { createDb, type PrismaClient } from '@bridge/db';
import { ConfigError, loadConfig, loadConfigOrExit, redisTopology, type Config } from '@bridge/config';
import { MissionxApiClient, missionxOptionsFromConfig } from '@bridge/missionx';
import { closeQueues, createQueues, createRedis, retryOverrideFromConfig, type BridgeQueues, type RedisConnection } from '@bridge/queues';

export interface Connections {
  redis: RedisConnection;
  queues: BridgeQueues;
  db: PrismaClient;
  close(): Promise<void>;
}

/**
 * Redis, the three queues and Prisma, as the dashboard and the replay CLI use them. The Redis
 * client fails a command after one reconnect attempt instead of waiting forever (a page or a
 * CLI run should report an outage, not hang), but queues commands while it first connects.
 * `onRedisError` hears about connection errors (ioredis keeps reconnecting on its own). The
 * dashboard passes its own small `pool` (DASHBOARD_DB_POOL_MAX) so viewers never starve the workers.
 */
export function openConnections(
  c: Config<'jobs'>,
  onRedisError: (err: Error) => void,
  pool: { max: number; statementTimeoutMs?: number; idleTimeoutMs?: number } = { max: 5 },
): Connections {
  const redis = createRedis(redisTopology(c), 'producer', { enableOfflineQueue: true, connectTimeout: 5000 });
  // Without listeners, ioredis and BullMQ print every failed reconnect to the console.
  redis.on('error', onRedisError);
  const queues = createQueues({ connection: redis, prefix: c.QUEUE_PREFIX, retry: retryOverrideFromConfig(c) });
  for (const q of Object.values(queues)) q.on('error', onRedisError);
  const db = createDb({
    databaseUrl: c.DATABASE_URL,
    poolSize: pool.max,
    statementTimeoutMs: pool.statementTimeoutMs,
    idleTimeoutMs: pool.idleTimeoutMs,
  });
  return {
    redis,
    queues,
    db,
    async close() {
      await closeQueues(queues).catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The MissionX client when the MISSIONX_* variables are set, for reading one client live (the
 * record story); without them the dashboard and the CLI work on, and the story says so.
 */
export function optionalMissionx(env: NodeJS.ProcessEnv): MissionxApiClient | undefined {
  try {
    return new MissionxApiClient(missionxOptionsFromConfig(loadConfig(env, ['missionx'])));
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/**
 * The AITable API settings when AITABLE_API_KEY is set, for bulk runs (the dashboard reads
 * datasheets as the backfill CLI does); without the key the dashboard lists runs and cannot start one.
 */
export function optionalAitableConfig(env: NodeJS.ProcessEnv): Config<'aitableApi' | 'backfill'> | undefined {
  return env.AITABLE_API_KEY ? loadConfigOrExit(env, ['aitableApi', 'backfill']) : undefined;
}
