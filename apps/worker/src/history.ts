import { randomUUID } from 'node:crypto';
import type { SyncEventRow } from '@bridge/db';
import { isAppError } from '@bridge/errors';
import { useCaseError, type EventQueueDefinition } from '@bridge/queues';
import type { Job } from 'bullmq';

/** Audit ids are at most 200 characters; AITable ids are far shorter. */
const ID_MAX = 200;

/** The code of a failure: the AppError's (also when BullMQ's UnrecoverableError wraps it), else `unexpected`. */
export function errorCodeOf(err: unknown): string {
  const inner = useCaseError(err);
  return isAppError(inner) ? inner.code : 'unexpected';
}

/**
 * The history row of one finished attempt. The event's start is the webhook's `receivedAt`
 * when the payload carries a valid one, else when the job was queued.
 */
export function historyRow(
  job: Job,
  def: Pick<EventQueueDefinition, 'entity'>,
  attempt: number,
  end: { outcome: SyncEventRow['outcome']; result?: string; err?: unknown },
): SyncEventRow {
  const raw = (job.data ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const received = text(raw.receivedAt) ? new Date(raw.receivedAt as string) : new Date(job.timestamp);
  return {
    id: randomUUID(),
    receivedAt: Number.isNaN(received.getTime()) ? new Date(job.timestamp) : received,
    finishedAt: new Date(),
    entityType: def.entity,
    queue: job.queueName,
    jobId: job.id ?? 'unknown',
    // Cut to what a real id can be: a job with an absurd id (refused by the sync row's index) still gets its history row.
    datasheetId: text(raw.datasheetId)?.slice(0, ID_MAX),
    recordId: (text(raw.auditId) ?? text(raw.recordId))?.slice(0, ID_MAX),
    attempt,
    outcome: end.outcome,
    result: end.result?.slice(0, 100),
    errorCode: end.err === undefined ? undefined : errorCodeOf(end.err).slice(0, 100),
    manual: text(raw.replayedAt) !== undefined,
  };
}
