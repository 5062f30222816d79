import { withTimeLimit } from '@bridge/errors';
import IORedis, { type Redis, type RedisOptions } from 'ioredis';

/**
 * - `producer`: the ingest hot path. Commands fail at once while Redis is down instead of
 *   queueing in memory, so a request can answer 503 rather than hang or be lost.
 * - `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  return new IORedis(url, {
    ...base,
    // Reconnect forever with a capped delay: Redis restarts must not need our restart too.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

/** True when Redis answers PING within timeoutMs. */
export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await withTimeLimit(redis.ping(), timeoutMs, () => 'timeout')) === 'PONG';
  } catch {
    return false;
  }
}
