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
};
