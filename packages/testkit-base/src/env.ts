import { randomBytes } from 'node:crypto';

/** Where the test services live; overridable so CI or a laptop can point elsewhere. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/**
 * The tag of this test run, set by jest's global setup (test/redis-keys.ts) for every file of
 * the run, so its teardown can tell the keys this run left in Redis from a parallel run's.
 */
export const TEST_RUN_TAG = process.env.BRIDGE_TEST_RUN ?? `r${randomBytes(4).toString('hex')}`;

/** The Redis key pattern of every prefix a run with this tag makes. */
export const runKeyPattern = (tag: string) => `*-${tag}-*`;

/** A Redis key prefix no other test file uses, so queues of parallel files never meet; tagged with the run. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${TEST_RUN_TAG}-${randomBytes(4).toString('hex')}`;
}

/** A datasheet id in AITable's format. */
export const dst = (name: string) => `dst${name.replace(/[^A-Za-z0-9]/g, '')}`;
