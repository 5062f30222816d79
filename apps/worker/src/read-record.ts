import type { AitableEventJob } from '@bridge/queues';
import type { RecordView } from '@bridge/sync-rules';
import type { WorkerDeps } from './deps';
import type { JobFacts } from './job-facts';

/**
 * The record as a backfill's scan read it, while that read is fresh enough; else as the event
 * carried it when it has every field the flow needs; else fetched from AITable (events with only
 * ids, automation templates that leave fields out, a backfill job that waited too long).
 * An unknown record is a permanent error from the client.
 */
export async function readRecord(
  deps: Pick<WorkerDeps, 'aitable' | 'backfillReadMaxAgeMs'>,
  event: Pick<AitableEventJob, 'recordId' | 'fields' | 'scanned'>,
  datasheetId: string,
  needed: readonly string[],
  job: Pick<JobFacts, 'bulk'>,
): Promise<RecordView> {
  const scanned = event.scanned;
  // The scan's read is the API's answer like a re-read's, only older: it saves the backfill one
  // read per record, which is what lets it write at AITable's ceiling (docs/runbook.md §4.8).
  if (scanned && Date.now() - Date.parse(scanned.at) <= deps.backfillReadMaxAgeMs) {
    return { recordId: event.recordId, source: 'api', fields: scanned.fields, updatedAt: scanned.updatedAt };
  }
  const carried = event.fields;
  if (carried && needed.every((name) => name in carried)) return { recordId: event.recordId, source: 'event', fields: carried };
  return fetchRecord(deps, datasheetId, event.recordId, job);
}

/** A backfill's job (`bulk`) reads in the wide, full requests of bulk reads, behind every live one. */
export async function fetchRecord(
  deps: Pick<WorkerDeps, 'aitable'>,
  datasheetId: string,
  recordId: string,
  job: Pick<JobFacts, 'bulk'>,
): Promise<RecordView> {
  const record = await deps.aitable.getRecord(datasheetId, recordId, { bulk: job.bulk });
  return { recordId, source: 'api', fields: record.fields, updatedAt: record.updatedAt };
}
