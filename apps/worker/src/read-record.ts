import type { AITableSync } from '@bridge/db';
import type { AitableEventJob } from '@bridge/queues';
import type { RecordView } from '@bridge/sync-rules';
import type { WorkerDeps } from './deps';
import type { JobFacts } from './job-facts';

/** A scan stamped further ahead of this host's clock than this comes from a host whose clock is wrong. */
const SCAN_CLOCK_SKEW_MS = 5000;

/**
 * The record as a backfill's scan read it: the API's answer like a re-read's, only older. It saves
 * the backfill one read per record, which is what lets it write at AITable's ceiling
 * (docs/runbook.md §4.8). Only while nothing has happened to the record since: the read is younger
 * than BACKFILL_READ_MAX_AGE_MS, and the record's sync row is the one the scan decided on (any sync
 * since, a delete, a failed attempt, the bridge's own write-back through an order, moved it).
 */
export function freshScan(
  deps: Pick<WorkerDeps, 'backfillReadMaxAgeMs'>,
  event: Pick<AitableEventJob, 'recordId' | 'scanned'>,
  row: Pick<AITableSync, 'updatedAt'> | null,
): RecordView | undefined {
  const scanned = event.scanned;
  if (!scanned) return undefined;
  const age = Date.now() - Date.parse(scanned.at);
  if (age > deps.backfillReadMaxAgeMs || age < -SCAN_CLOCK_SKEW_MS) return undefined;
  if ((row?.updatedAt.toISOString() ?? null) !== scanned.rowUpdatedAt) return undefined;
  return { recordId: event.recordId, source: 'api', fields: scanned.fields, updatedAt: scanned.updatedAt };
}

/**
 * The record as the event carried it when it has every field the flow needs, else fetched
 * from AITable (events with only ids, or automation templates that leave fields out).
 * An unknown record is a permanent error from the client.
 */
export async function readRecord(
  deps: Pick<WorkerDeps, 'aitable'>,
  event: Pick<AitableEventJob, 'recordId' | 'fields'>,
  datasheetId: string,
  needed: readonly string[],
  job: Pick<JobFacts, 'bulk'>,
): Promise<RecordView> {
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
