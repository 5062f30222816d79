import { JOBS } from '@bridge/queues/contracts';
import { int } from '../helpers';

/**
 * Reconciliation: AITable automations never retry, so the worker that consumes `leads` also
 * polls the Leads and Orders datasheets for records modified since its last sync and feeds
 * them into the same queues as webhooks.
 */
export const reconcileSection = {
  /** How often the scheduled reconcile runs; 0 turns it off (the CLI still works). @defaultValue the catalog's, 300000 (5 min) */
  RECONCILE_INTERVAL_MS: int(JOBS.reconcile.schedule.everyMs, 0).refine((v) => v === 0 || v >= 100, 'must be 0 (off) or at least 100'),
  /**
   * How far before the cursor (the last modification time seen) each run looks again, because
   * AITable's clock and ours differ and a page may shift while it is read. @defaultValue 120000 (2 min)
   */
  RECONCILE_OVERLAP_MS: int(120_000, 0),
  /** How far back the very first run (no cursor yet) looks, so it does not feed the whole datasheet. @defaultValue 86400000 (24 h) */
  RECONCILE_LOOKBACK_MS: int(86_400_000, 0),
};
