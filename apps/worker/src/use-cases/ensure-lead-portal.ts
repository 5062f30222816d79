import { ownedValuesOf, type AITableSync, type SyncKey } from '@bridge/db';
import type { MissionxClient } from '@bridge/missionx';
import type { WorkerDeps } from '../deps';
import type { JobFacts } from '../job-facts';
import { createLeadClient, knownClient, type KnownClient } from '../lead-client';
import { leadInput, metaOf, ownedPortalStatus, type LeadInput } from '@bridge/sync-rules';
import { fetchRecord } from '../read-record';
import { lockRecord, syncAttempt } from '../sync-attempt';

/** The portal of a lead, once it exists and is active. */
export interface LeadPortal {
  clientId: string;
  portalUrl: string;
}

/**
 * Makes the lead's portal exist, match the lead and give its domain access, shows it on the lead,
 * and records the lead's sync row. Every step is idempotent, so a retry after a crash at any point
 * repeats only what did not happen: the sync row is the index of the lead's client (MissionX has
 * no customId filter), a create is preceded by a durable intent and followed by the client id,
 * changes are patched only when the lead's inputs changed, and the write-back sets the same values.
 * The caller holds the lead's record lock.
 */
export async function ensureLeadPortal(
  lead: LeadInput,
  job: JobFacts,
  deps: WorkerDeps,
  keep: ReadonlySet<string> = new Set(),
): Promise<LeadPortal> {
  const key = { datasheetId: deps.datasheets.leads, recordId: lead.recordId, direction: 'aitable_to_app' as const };
  return syncAttempt(deps, key, 'lead', job, async (row) => {
    const desired = { customId: lead.recordId, title: lead.title, emailDomains: [lead.emailDomain] };
    const known = await knownClient(row, key, deps, job);
    const client = known ? await updateWhatChanged(key, row, known, lead, deps, job) : await createLeadClient(key, desired, deps, job);
    const portalUrl = deps.missionx.portalUrl(client);
    const f = deps.fields.lead;
    // Active, unless the MissionX poll has since written the client's archive: that is what the bridge stands for now.
    const status = ownedPortalStatus(row, f.portalStatus);
    // Fields held by a conflict waiting for an operator, or yielded to AITable, are left as they are.
    const cells = { [f.portalUrl]: lead.shown.url, [f.portalStatus]: lead.shown.status };
    const shown = Object.fromEntries(
      Object.entries({ [f.portalUrl]: portalUrl, [f.portalStatus]: status }).filter(([field]) => !keep.has(field)),
    );
    if (Object.entries(shown).some(([field, value]) => cells[field] !== value)) {
      await deps.aitable.updateRecord(deps.datasheets.leads, lead.recordId, shown, { bulk: job.bulk });
    }
    // What the lead shows is ours: the MissionX poll compares with it, so our own change coming back writes nothing.
    const owned = ownedValuesOf(row);
    if (Object.entries(shown).some(([field, value]) => owned[field] !== value)) await deps.sync.recordOwnedValues(key, shown);
    deps.logger.info(known ? 'portal up to date' : 'portal created', { missionxClientId: client._id });
    return {
      success: {
        entityId: client._id,
        metadata: { inputHash: lead.hash, portalUrl, missionxClientId: client._id, portalStatus: 'active' },
        ...(lead.updatedAt !== undefined ? { recordUpdatedAt: new Date(lead.updatedAt) } : {}),
      },
      value: { clientId: client._id, portalUrl },
    };
  });
}

/**
 * One PATCH with the lead's title and domain when its inputs changed since our last sync (or the
 * client was just found after a lost create and differs); none otherwise, so an unchanged lead
 * costs no MissionX call. A lead that comes back after its deletion gets its removed domains back.
 */
async function updateWhatChanged(
  key: SyncKey,
  row: AITableSync,
  known: KnownClient,
  lead: LeadInput,
  deps: WorkerDeps,
  job: Pick<JobFacts, 'bulk'>,
): Promise<Pick<MissionxClient, '_id' | 'customId'>> {
  const removed = removedDomains(row);
  const emailDomains = removed.length ? union(removed, [lead.emailDomain]) : [lead.emailDomain];
  const stale = known.client
    ? known.client.title !== lead.title || !sameSet(known.client.emailDomains, emailDomains)
    : metaOf(row).inputHash !== lead.hash || removed.length > 0;
  const current = known.client ?? { _id: known.id, customId: lead.recordId };
  if (!stale) return current;
  deps.logger.info('updating portal', { missionxClientId: known.id, restoringAccess: removed.length > 0 });
  const updated = await deps.missionx.updateClient(known.id, { title: lead.title, emailDomains }, { bulk: job.bulk });
  if (removed.length) await deps.sync.recordRemovedEmailDomains(key, null);
  return updated;
}

/** The domains taken from the client when its lead was deleted (see deactivate-lead-portal.ts). */
export function removedDomains(row: Pick<AITableSync, 'removedEmailDomains'>): string[] {
  const v = row.removedEmailDomains;
  return Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string') : [];
}

export const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The order flow's way in: takes the lead's lock, reads the lead from AITable and runs the same
 * idempotent path as a lead event. The caller holds the order's lock; a lead job never takes
 * an order lock, so the two cannot deadlock.
 */
export async function ensurePortalOfLead(leadRecordId: string, job: JobFacts, deps: WorkerDeps): Promise<LeadPortal> {
  return lockRecord(deps, deps.datasheets.leads, leadRecordId, async () => {
    const view = await fetchRecord(deps, deps.datasheets.leads, leadRecordId, job);
    return ensureLeadPortal(leadInput(view, deps.fields.lead, deps.datasheets.leads), job, deps);
  });
}
