import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
// jest loads its global hooks without the moduleNameMapper that maps @bridge/* to their sources.
// eslint-disable-next-line bridge/no-cross-workspace-relative
import { runKeyPattern, TEST_REDIS_URL } from '../packages/testkit-base/src/env';

/**
 * Proves that the suite leaves the Redis it uses (the developer's database 0 unless
 * TEST_REDIS_URL says otherwise) as it found it. Every queue, lock and limiter prefix of a test
 * comes from uniquePrefix, which carries this run's tag; after the last file, no key carrying the
 * tag may be left. Keys of other runs sharing the Redis (other checkouts testing in parallel, a
 * demo stack) carry other tags or none, so they neither fail this run nor are touched by it.
 */
const EXPIRES_SOON_MS = 10 * 60_000;

export async function setup(): Promise<void> {
  // Inherited by every test worker jest starts after this.
  process.env.BRIDGE_TEST_RUN = `r${randomBytes(4).toString('hex')}`;
}

export async function teardown(): Promise<void> {
  const tag = process.env.BRIDGE_TEST_RUN;
  if (!tag) return;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const left: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', runKeyPattern(tag), 'COUNT', 1000);
      cursor = next;
      left.push(...keys);
    } while (cursor !== '0');
    if (left.length === 0) return;
    // A rate-limit window or a lock that expires within minutes goes by itself; a key without an expiry stays.
    const ttls = await Promise.all(left.map((k) => redis.pttl(k)));
    const staying = left.filter((_, i) => ttls[i]! < 0 || ttls[i]! > EXPIRES_SOON_MS);
    // This run's own keys: removed, so a failing run does not leave them for the next one.
    for (let i = 0; i < left.length; i += 500) await redis.del(...left.slice(i, i + 500));
    if (staying.length === 0) return;
    const prefixes = [...new Set(staying.map((k) => k.split(':')[0]))].sort();
    throw new Error(
      `The tests left ${staying.length} keys in ${TEST_REDIS_URL} (now deleted), under the prefixes ${prefixes.join(', ')} ` +
        `(e.g. ${staying.slice(0, 5).join(', ')}): ` +
        'a test file does not obliterate its queues or delete its keys after itself.',
    );
  } finally {
    redis.disconnect();
  }
}
