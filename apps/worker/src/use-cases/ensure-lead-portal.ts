import type { MissionxClient } from '@bridge/missionx';
import type { WorkerDeps } from '../deps';
import { PORTAL_STATUS } from '@bridge/config';
import type { JobFacts } from '../job-facts';
import { leadInput, showsPortal, type LeadInput } from '@bridge/sync-rules';
import { fetchRecord } from '../read-record';
import { lockRecord, syncAttempt } from '../sync-attempt';

/** The portal of a lead, once it exists and is active. */
export interface LeadPortal {
  clientId: string;
  portalUrl: string;
}

/**
 * Makes the lead's portal exist, match the lead and be active, shows it on the lead, and records
 * the lead's sync row. Every step is idempotent, so a retry after a crash at any point repeats
 * only what did not happen: the client is found by customId (= the lead's recordId) before any
 * create, changes are patched only when they differ, and the write-back sets the same values.
 * The caller holds the lead's record lock.
 */
export async function ensureLeadPortal(lead: LeadInput, job: JobFacts, deps: WorkerDeps): Promise<LeadPortal> {
  const key = { datasheetId: deps.datasheets.leads, recordId: lead.recordId, direction: 'aitable_to_app' as const };
  return syncAttempt(deps, key, 'lead', job, async () => {
    const desired = { customId: lead.recordId, title: lead.title, emailDomains: [lead.emailDomain] };
    const found = await deps.missionx.findOrCreateClient(desired);
    const client = await updateWhatChanged(found.client, desired, deps);
    const portalUrl = deps.missionx.portalUrl(client);
    if (!showsPortal(lead.shown, portalUrl)) {
      const f = deps.fields.lead;
      await deps.aitable.updateRecord(
        deps.datasheets.leads,
        lead.recordId,
        {
          [f.portalUrl]: portalUrl,
          [f.portalStatus]: PORTAL_STATUS.active,
        },
        { bulk: job.bulk },
      );
    }
    deps.logger.info(found.created ? 'portal created' : 'portal up to date', { missionxClientId: client._id });
    return {
      success: {
        entityId: client._id,
        metadata: { inputHash: lead.hash, portalUrl, missionxClientId: client._id, portalStatus: 'active' },
      },
      value: { clientId: client._id, portalUrl },
    };
  });
}

/** One PATCH with only what differs: title, email domains, and status when MissionX reports it inactive. */
async function updateWhatChanged(
  client: MissionxClient,
  desired: { title: string; emailDomains: string[] },
  deps: WorkerDeps,
): Promise<MissionxClient> {
  const patch: { title?: string; emailDomains?: string[]; status?: 'active' } = {};
  if (client.title !== desired.title) patch.title = desired.title;
  if (!sameSet(client.emailDomains, desired.emailDomains)) patch.emailDomains = desired.emailDomains;
  if (client.status === 'inactive') patch.status = 'active';
  if (Object.keys(patch).length === 0) return client;
  deps.logger.info('updating portal', { missionxClientId: client._id, changed: Object.keys(patch) });
  return deps.missionx.updateClient(client._id, patch);
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The order flow's way in: takes the lead's lock, reads the lead from AITable and runs the same
 * idempotent path as a lead event. The caller holds the order's lock; a lead job never takes
 * an order lock, so the two cannot deadlock.
 */
export async function ensurePortalOfLead(leadRecordId: string, job: JobFacts, deps: WorkerDeps): Promise<LeadPortal> {
  return lockRecord(deps, deps.datasheets.leads, leadRecordId, async () => {
    const view = await fetchRecord(deps, deps.datasheets.leads, leadRecordId);
    return ensureLeadPortal(leadInput(view, deps.fields.lead, deps.datasheets.leads), job, deps);
  });
}
