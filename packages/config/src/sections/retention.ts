import { JOBS } from '@bridge/queues/contracts';
import { int } from '../helpers';

/**
 * How long history and delivery rows are kept. The worker that consumes `leads` runs a
 * scheduled job that deletes older rows in small batches, so the tables stay bounded.
 */
export const retentionSection = {
  /** Sync history rows (the insight page's 30-day charts need at least 30). @defaultValue 90 */
  RETENTION_HISTORY_DAYS: int(90, 1),
  /** Accepted and duplicate deliveries, and rejected ones already replayed or with no body to fix. @defaultValue 30 */
  RETENTION_DELIVERY_DAYS: int(30, 1),
  /** Rejected deliveries still waiting for a fix (body kept, not yet replayed). @defaultValue 90 */
  RETENTION_REJECTED_DAYS: int(90, 1),
  /** Insight rollups of the 7 d and 30 d views (small: 6-hour intervals, a few thousand rows a month). @defaultValue 400 */
  RETENTION_ROLLUP_DAYS: int(400, 1),
  /**
   * Sync conflicts once settled (restored, adopted, or resolved by an operator: counted from the
   * resolution). Held ones waiting for an operator are never deleted. @defaultValue 180
   */
  RETENTION_CONFLICT_DAYS: int(180, 1),
  /** How often the clean-up runs; 0 turns it off. @defaultValue the catalog's, 3600000 (1 h) */
  RETENTION_INTERVAL_MS: int(JOBS.retention.schedule.everyMs, 0).refine((v) => v === 0 || v >= 1000, 'must be 0 (off) or at least 1000'),
  /** Rows deleted per statement. @defaultValue 1000 */
  RETENTION_BATCH_SIZE: int(1000, 1, 100_000),
};
