import { closeQueues, createQueues, createRedis } from '@bridge/queues';
import { TEST_REDIS_URL } from '@bridge/testkit-base';
import type { Redis } from 'ioredis';

/**
 * Removes every queue key under a test's prefix, on a connection of its own: the app's may be
 * closed already, or point at a Redis that is down on purpose.
 */
export async function obliterateQueues(prefix: string): Promise<void> {
  const redis = createRedis(TEST_REDIS_URL, 'worker');
  const queues = createQueues({ connection: redis, prefix });
  await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
  await closeQueues(queues);
  await redis.quit();
  // The scheduled queues (reconcile, retention), limiter counters and checkpoints live under the same test-only prefix.
  await deleteKeysUnder(prefix);
}

/** Deletes every key under `prefix` that is not a queue (rate-limit counters, locks) from the test Redis. */
export async function deleteKeysUnder(prefix: string): Promise<number> {
  // The test Redis is one node: SCAN covers every key.
  const redis = createRedis(TEST_REDIS_URL, 'worker') as Redis;
  let deleted = 0;
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) deleted += await redis.del(...keys);
  }
  await redis.quit();
  return deleted;
}
