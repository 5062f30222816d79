import { withTimeLimit } from '@bridge/errors';
import IORedis, { type Redis, type RedisOptions } from 'ioredis';

/**
 * - `producer`: the ingest hot path. Commands fail at once while Redis is down instead of
 *   queueing in memory, so a request can answer 503 rather than hang or be lost.
 * - `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 * - `coordination`: per-record locks and the AITable rate limiter, used inside a running job.
 *   A command waits through a short Redis restart but fails after {@link COORDINATION_COMMAND_TIMEOUT_MS}:
 *   a job stuck on Redis for longer than its locks last would otherwise wake up after another
 *   worker took the job over as stalled, and both would run its side effects.
 */
export type RedisRole = 'producer' | 'worker' | 'coordination';

/** Well below the default job and record lock times (30 s), so a blocked job gives up before its locks lapse. */
export const COORDINATION_COMMAND_TIMEOUT_MS = 5000;

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 },
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
  coordination: { maxRetriesPerRequest: null, enableReadyCheck: true, commandTimeout: COORDINATION_COMMAND_TIMEOUT_MS },
};

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base = ROLE_OPTIONS[role];
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
