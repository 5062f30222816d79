import type { RedisConnection } from '@bridge/queues';

/**
 * The reconcile cursor of a datasheet: the latest AITable modification time (epoch ms) that
 * reconciliation has fed into the queues, at `${QUEUE_PREFIX}:reconcile:<datasheetId>`.
 */
export const cursorKey = (queuePrefix: string, datasheetId: string): string => `${queuePrefix}:reconcile:${datasheetId}`;

/** The cursor, or `null` before the first run. A value that is not a number counts as none. */
export async function readCursor(redis: RedisConnection, key: string): Promise<number | null> {
  const raw = await redis.get(key);
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) ? value : null;
}

// Only forward: a CLI run and a scheduled run may finish in either order.
const ADVANCE = `local cur = tonumber(redis.call('GET', KEYS[1]))
if cur == nil or tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0`;

/** Moves the cursor to `to` unless it is already there or later; answers the cursor afterwards. */
export async function advanceCursor(redis: RedisConnection, key: string, to: number): Promise<number> {
  await redis.eval(ADVANCE, 1, key, String(to));
  return (await readCursor(redis, key)) ?? to;
}
