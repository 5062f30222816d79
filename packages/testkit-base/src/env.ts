import { randomBytes } from 'node:crypto';

/** Where the test services live; overridable so CI or a laptop can point elsewhere. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A Redis key prefix no other test file uses, so queues of parallel files never meet. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** A datasheet id in AITable's format. */
export const dst = (name: string) => `dst${name.replace(/[^A-Za-z0-9]/g, '')}`;
