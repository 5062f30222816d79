import { JOBS, type AitableEventJob } from '@bridge/queues';
import type { WorkerDeps } from '../deps';
import { PORTAL_STATUS } from '@bridge/config';
import type { JobFacts } from '../job-facts';
import { alreadySynced, leadOfOrder, orderInput, orderInputFields, orderNeed, showsPortal } from '@bridge/sync-rules';
import { readRecord } from '../read-record';
import { lockRecord, recordingFailures, syncAttempt } from '../sync-attempt';
import { ensurePortalOfLead } from './ensure-lead-portal';
import { assertDatasheet } from './sync-lead';

export type SyncOrderOutcome = 'activated' | 'recorded' | 'skipped_own_write_back' | 'deactivated';

/**
 * An order event from the `orders` queue. A created order, or one whose Status is Won/Active,
 * makes sure its lead's portal exists and is active (the lead flow's own idempotent path) and
 * shows the portal on the order. Other statuses are recorded on the sync row, with no side effect.
 */
export async function syncOrder(event: AitableEventJob, job: JobFacts, deps: WorkerDeps): Promise<SyncOrderOutcome> {
  const ds = deps.datasheets.orders;
  assertDatasheet(event.datasheetId, ds, JOBS.orders.name);
  const f = deps.fields.order;
  const key = { datasheetId: ds, recordId: event.recordId, direction: 'aitable_to_app' as const };

  return lockRecord(deps, ds, event.recordId, async () => {
    if (event.eventType === 'record.deleted') {
      const noop = async () => ({
        success: { entityId: null, metadata: { deletedAt: new Date().toISOString() } },
        value: 'deactivated' as const,
      });
      return syncAttempt(deps, key, 'order', job, noop, { deactivate: true });
    }
    const view = await recordingFailures(deps, key, 'order', job, () => readRecord(deps, event, ds, orderInputFields(f), job));
    const { status, leadIds, shown, hash } = orderInput(view, f);
    const row = await deps.sync.find(key);
    const created = event.eventType === 'record.created';
    if (!created && alreadySynced(row, hash, shown)) {
      deps.logger.info('order update skipped: none of the fields we use changed (our own write-back)');
      return 'skipped_own_write_back';
    }
    const activate = orderNeed(row, { status, hash, shown }, created) !== null;

    return syncAttempt(deps, key, 'order', job, async () => {
      if (!activate) {
        deps.logger.info('order status needs no portal change', { status });
        return {
          success: { entityId: row?.entityId ?? null, metadata: { inputHash: hash, status, action: 'none' } },
          value: 'recorded' as const,
        };
      }
      const leadRecordId = leadOfOrder({ recordId: event.recordId, leadIds }, f, ds);
      const portal = await ensurePortalOfLead(leadRecordId, job, deps);
      if (!showsPortal(shown, portal.portalUrl)) {
        const cells = { [f.portalUrl]: portal.portalUrl, [f.portalStatus]: PORTAL_STATUS.active };
        await deps.aitable.updateRecord(ds, event.recordId, cells, { bulk: job.bulk });
      }
      deps.logger.info('order activated the portal of its lead', { leadRecordId, missionxClientId: portal.clientId });
      const metadata = {
        inputHash: hash,
        status,
        leadRecordId,
        portalUrl: portal.portalUrl,
        missionxClientId: portal.clientId,
        action: 'activated',
      };
      return { success: { entityId: portal.clientId, metadata }, value: 'activated' as const };
    });
  });
}
