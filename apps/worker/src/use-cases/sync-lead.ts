import { permanent } from '@bridge/errors';
import { JOBS, type AitableEventJob } from '@bridge/queues';
import type { WorkerDeps } from '../deps';
import type { JobFacts } from '../job-facts';
import { alreadySynced, leadInput, leadInputFields, ownedPortalStatus, type LeadInput } from '@bridge/sync-rules';
import { fetchRecord, freshScan, readRecord } from '../read-record';
import { settleLeadConflicts } from '../lead-conflicts';
import { lockRecord, recordingFailures } from '../sync-attempt';
import { deactivateLeadPortal } from './deactivate-lead-portal';
import { ensureLeadPortal } from './ensure-lead-portal';

export type SyncLeadOutcome = 'synced' | 'skipped_own_write_back' | 'skipped_stale' | 'deactivated';

/**
 * A lead event from the `leads` queue: a created or changed lead gets its portal (created,
 * updated, shown on the lead); a deleted lead's portal is deactivated. An update that changed
 * none of the fields we use (our own write-back coming back through an automation) is skipped.
 */
export async function syncLead(event: AitableEventJob, job: JobFacts, deps: WorkerDeps): Promise<SyncLeadOutcome> {
  assertDatasheet(event.datasheetId, deps.datasheets.leads, JOBS.leads.name);
  if (event.eventType === 'record.deleted') return deactivateLeadPortal(event.recordId, job, deps);

  const ds = deps.datasheets.leads;
  const key = { datasheetId: ds, recordId: event.recordId, direction: 'aitable_to_app' as const };
  const f = deps.fields.lead;
  return lockRecord(deps, ds, event.recordId, async () => {
    const row = await deps.sync.find(key);
    const status = ownedPortalStatus(row, f.portalStatus);
    // A created event is always acted on (idempotently); updates and id-only events may be our own echo.
    const echo = (lead: LeadInput) => event.eventType !== 'record.created' && alreadySynced(row, lead.hash, lead.shown, status);
    let lead = await recordingFailures(deps, key, 'lead', job, async () =>
      leadInput(freshScan(deps, event, row) ?? (await readRecord(deps, event, ds, leadInputFields(f), job)), f, ds),
    );
    if (echo(lead)) {
      deps.logger.info('lead update skipped: none of the fields we use changed (our own write-back)');
      return 'skipped_own_write_back';
    }
    // The record is the truth, not the event: a replayed old body or a stale job from the failed
    // set carries values the lead no longer has. MissionX is written from the record as it is now.
    if (lead.source === 'event') {
      lead = await recordingFailures(deps, key, 'lead', job, async () =>
        leadInput(await fetchRecord(deps, ds, event.recordId, job), f, ds),
      );
    }
    if (row?.recordUpdatedAt && lead.updatedAt !== undefined && lead.updatedAt < row.recordUpdatedAt.getTime()) {
      // A read older than one already synced (AITable's reads can lag its writes): acting on it would turn the portal back.
      deps.logger.info('lead event skipped: the record read is older than the one last synced', {
        readUpdatedAt: lead.updatedAt,
        syncedUpdatedAt: row.recordUpdatedAt.getTime(),
      });
      return 'skipped_stale';
    }
    if (echo(lead)) {
      deps.logger.info('lead event skipped: the record as it is now is already synced (an old or repeated event)');
      return 'skipped_own_write_back';
    }
    const keep = await settleLeadConflicts(deps, key, row, lead);
    await ensureLeadPortal(lead, job, deps, keep);
    return 'synced';
  });
}

/** Ingest routes by datasheet; a mismatch means a misrouted job, which no retry fixes. */
export function assertDatasheet(actual: string, expected: string, queue: string): void {
  if (actual !== expected) {
    throw permanent('wrong_datasheet', `Event for datasheet ${actual} reached the ${queue} queue, which serves datasheet ${expected}`, {
      details: { datasheetId: actual, expected, queue },
    });
  }
}
