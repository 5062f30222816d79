import type { WorkerDeps } from '../deps';
import type { JobFacts } from '../job-facts';
import { knownClient } from '../lead-client';
import { lockRecord, syncAttempt } from '../sync-attempt';
import { removedDomains, union } from './ensure-lead-portal';

/**
 * A lead was deleted in AITable: its portal loses its access, and its sync row becomes inactive.
 * MissionX documents no status, archive or delete for clients; access comes from the client's
 * `emailDomains`, so those are removed (the client and its projects are kept) and remembered on
 * the sync row, first, so that a lead that comes back gets them again. Repeating it is harmless.
 */
export async function deactivateLeadPortal(recordId: string, job: JobFacts, deps: WorkerDeps): Promise<'deactivated'> {
  const key = { datasheetId: deps.datasheets.leads, recordId, direction: 'aitable_to_app' as const };
  return lockRecord(deps, key.datasheetId, recordId, () =>
    syncAttempt(
      deps,
      key,
      'lead',
      job,
      async (row) => {
        // A lead deleted while a create of its portal had no known outcome may still have one: knownClient looks.
        const known = await knownClient(row, key, deps, job);
        let portalStatus = 'none';
        if (known) {
          const client = known.client ?? (await deps.missionx.getClient(known.id));
          if (!client) deps.logger.warn('lead deleted: its MissionX client is gone', { missionxClientId: known.id });
          else if (client.emailDomains.length > 0) {
            await deps.sync.recordRemovedEmailDomains(key, union(removedDomains(row), client.emailDomains));
            await deps.missionx.updateClient(known.id, { emailDomains: [] });
          }
          portalStatus = 'inactive';
        }
        deps.logger.info('lead deleted: portal access removed', { missionxClientId: known?.id ?? null });
        return {
          success: { entityId: known?.id ?? null, metadata: { portalStatus, deletedAt: new Date().toISOString() } },
          value: 'deactivated' as const,
        };
      },
      { deactivate: true },
    ),
  );
}
