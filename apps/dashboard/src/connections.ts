import { createDb, type PrismaClient } from '@bridge/db';
import { redisTopology, type Config } from '@bridge/config';
import { closeQueues, createQueues, createRedis, retryPolicyFromConfig, type BridgeQueues, type RedisConnection } from '@bridge/queues';

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
 * `onRedisError` hears about connection errors (ioredis keeps reconnecting on its own).
 */
export function openConnections(c: Config<'jobs'>, onRedisError: (err: Error) => void): Connections {
  const redis = createRedis(redisTopology(c), 'producer', { enableOfflineQueue: true, connectTimeout: 5000 });
  // Without listeners, ioredis and BullMQ print every failed reconnect to the console.
  redis.on('error', onRedisError);
  const queues = createQueues({ connection: redis, prefix: c.QUEUE_PREFIX, retry: retryPolicyFromConfig(c) });
  for (const q of Object.values(queues)) q.on('error', onRedisError);
  const db = createDb({ databaseUrl: c.DATABASE_URL, poolSize: 5 });
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
