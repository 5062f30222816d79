import { int } from '../helpers';

/** `npm run backfill`: walking a whole datasheet and enqueuing what the bridge has not finished. */
export const backfillSection = {
  /**
   * Records per AITable read. AITable allows up to 1000; fewer means more requests against the
   * same per-datasheet rate limit the workers write under. @defaultValue 1000
   */
  BACKFILL_PAGE_SIZE: int(1000, 1, 1000),
  /** Records decided and enqueued per step (one Redis round trip); the checkpoint moves after each. @defaultValue 100 */
  BACKFILL_CHUNK_SIZE: int(100, 1, 1000),
  /**
   * Backfill jobs left waiting for a worker before the scan pauses: jobs then run soon after their
   * record was read (BACKFILL_READ_MAX_AGE_MS) and a large datasheet never sits in Redis at once.
   * Keep it above the workers' concurrency for the queue, or they idle. @defaultValue 500
   */
  BACKFILL_MAX_AHEAD: int(500, 1, 100_000),
};
