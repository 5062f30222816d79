import { createHash } from 'node:crypto';
import type { RedisConnection } from '@bridge/queues';
import type { RecordKey } from './keyset';

/** What a backfill run has done so far. */
export interface BackfillCounts {
  /** Records read and decided on. */
  examined: number;
  /** New jobs added (in a dry run: jobs that would be added). */
  enqueued: number;
  /** Records that need work but already have a backfill job waiting or running. */
  alreadyQueued: number;
  /** Records the bridge has nothing left to do for. */
  upToDate: number;
  /** Records a worker could never sync (a lead without an email, an order without a lead): a person must fix them. */
  invalid: number;
}

export const ZERO_COUNTS: BackfillCounts = { examined: 0, enqueued: 0, alreadyQueued: 0, upToDate: 0, invalid: 0 };

/** Where an unfinished run stands, so the next run with the same datasheet and filter resumes there. */
export interface BackfillCheckpoint {
  /** The last record handled, in the scan's stable order. */
  after: RecordKey;
  counts: BackfillCounts;
  startedAt: string;
  updatedAt: string;
}

/** One checkpoint per datasheet and filter: `${QUEUE_PREFIX}:backfill:<datasheetId>:<hash of the filter>`. */
export const checkpointKey = (queuePrefix: string, datasheetId: string, where: string | undefined): string =>
  `${queuePrefix}:backfill:${datasheetId}:${createHash('sha256')
    .update(where ?? '')
    .digest('hex')
    .slice(0, 16)}`;

export async function readCheckpoint(redis: RedisConnection, key: string): Promise<BackfillCheckpoint | null> {
  const raw = await redis.get(key);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as BackfillCheckpoint;
  } catch {
    return null;
  }
}

export async function saveCheckpoint(redis: RedisConnection, key: string, cp: BackfillCheckpoint): Promise<void> {
  await redis.set(key, JSON.stringify(cp));
}

export async function clearCheckpoint(redis: RedisConnection, key: string): Promise<void> {
  await redis.del(key);
}
