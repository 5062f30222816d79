import { permanent } from '@bridge/errors';
import { JOBS, type AitableEventJob } from '@bridge/queues';
import type { WorkerDeps } from '../deps';
import type { JobFacts } from '../job-facts';
import { leadInput, leadInputFields, leadNeed } from '@bridge/sync-rules';
import { readRecord } from '../read-record';
import { lockRecord, recordingFailures } from '../sync-attempt';
import { deactivateLeadPortal } from './deactivate-lead-portal';
import { ensureLeadPortal } from './ensure-lead-portal';

export type SyncLeadOutcome = 'synced' | 'skipped_own_write_back' | 'deactivated';

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
  return lockRecord(deps, ds, event.recordId, async () => {
    const lead = await recordingFailures(deps, key, 'lead', job, async () =>
      leadInput(await readRecord(deps, event, ds, leadInputFields(deps.fields.lead)), deps.fields.lead, ds),
    );
    // A created event is always acted on (idempotently); updates and id-only events may be our own echo.
    if (event.eventType !== 'record.created') {
      if (leadNeed(await deps.sync.find(key), lead) === null) {
        deps.logger.info('lead update skipped: none of the fields we use changed (our own write-back)');
        return 'skipped_own_write_back';
      }
    }
    await ensureLeadPortal(lead, job, deps);
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
