import { PORTAL_STATUS } from '@bridge/config';
import type { AITableSync } from '@bridge/db';
import type { LeadInput } from './lead-input';
import { activatesPortal, type OrderInput } from './order-input';
import { alreadySynced } from './snapshot';

/**
 * Why a record still needs its flow:
 * - `no_portal`: the record shows no Portal URL;
 * - `stale_portal_status`: it shows a Portal URL but its Portal Status is not Active;
 * - `not_synced`: it shows a portal, but no successful sync row holds these inputs and that URL
 *   (never synced by the bridge, failed, or its inputs changed since);
 * - `order_not_activated`: a Won/Active order whose portal activation has not been done.
 */
export type SyncNeed = 'no_portal' | 'stale_portal_status' | 'not_synced' | 'order_not_activated';

/**
 * What a lead still needs, or `null` when the bridge has done everything for it: the very test
 * the lead worker uses to skip an update (so a backfill enqueues exactly what a worker would act on).
 */
export function leadNeed(row: AITableSync | null, lead: Pick<LeadInput, 'hash' | 'shown'>): SyncNeed | null {
  if (alreadySynced(row, lead.hash, lead.shown)) return null;
  if (!lead.shown.url) return 'no_portal';
  if (lead.shown.status !== PORTAL_STATUS.active) return 'stale_portal_status';
  return 'not_synced';
}

/**
 * What an order still needs, or `null`. An order whose status opens no portal needs nothing
 * (the worker would only record its status); a Won/Active one needs what a lead would, plus the
 * activation itself. `created` is true for a record.created event, which always activates.
 */
export function orderNeed(row: AITableSync | null, order: Pick<OrderInput, 'hash' | 'shown' | 'status'>, created = false): SyncNeed | null {
  if (!created && alreadySynced(row, order.hash, order.shown)) return null;
  if (!activatesPortal(order, created)) return null;
  return 'order_not_activated';
}
