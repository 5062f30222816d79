import type { WorkerDeps } from '../deps';
import type { JobFacts } from '../job-facts';
import { lockRecord, syncAttempt } from '../sync-attempt';

/**
 * A lead was deleted in AITable: its portal is deactivated in MissionX (the client is kept:
 * deleting a portal would lose its documents) and its sync row becomes inactive. Repeating it is harmless.
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
        // A lead deleted before its row recorded a client may still have a portal (a crash
        // right after creating it), so the customId lookup is the fallback.
        const clientId = row.entityId ?? (await deps.missionx.findClientByCustomId(recordId))?._id ?? null;
        if (clientId) await deps.missionx.setClientStatus(clientId, 'inactive');
        deps.logger.info('lead deleted: portal deactivated', { missionxClientId: clientId });
        return {
          success: { entityId: clientId, metadata: { portalStatus: clientId ? 'inactive' : 'none', deletedAt: new Date().toISOString() } },
          value: 'deactivated' as const,
        };
      },
      { deactivate: true },
    ),
  );
}
