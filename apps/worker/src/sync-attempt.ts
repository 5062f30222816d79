import { describeError, toJobDecision } from '@bridge/errors';
import { isRowRefused, type AITableSync, type EntityType, type SuccessFacts, type SyncKey } from '@bridge/db';
import { withRecordLock } from '@bridge/locks';
import type { WorkerDeps } from './deps';
import { isFinalFailure, type JobFacts } from './job-facts';

type Deps = Pick<WorkerDeps, 'sync' | 'logger' | 'metrics'>;

/**
 * One attempt at one sync row: the row goes pending with this attempt's number, `work` runs,
 * and its result is recorded as success, or its error on the row (`failed` once no attempt
 * is left or the error is permanent; with `deactivate`, success leaves the row inactive).
 * A throttled error (busy record, AITable 429) or an outage within the job's budget leaves the
 * row pending: it spends no attempt.
 */
export async function syncAttempt<T>(
  deps: Deps,
  key: SyncKey,
  entityType: EntityType,
  job: JobFacts,
  work: (row: AITableSync) => Promise<{ success: SuccessFacts; value: T }>,
  opts: { deactivate?: boolean } = {},
): Promise<T> {
  const facts = { entityType, attempt: job.attempt, jobId: job.jobId, requestId: job.requestId };
  const row = await deps.sync.beginAttempt(key, facts);
  let result: { success: SuccessFacts; value: T };
  try {
    result = await work(row);
    // A success the database refuses (e.g. metadata it cannot store) is a failure to record, too.
    const { entityId, metadata } = result.success;
    if (opts.deactivate) await deps.sync.markInactive(key, { ...facts, entityId, metadata });
    else await deps.sync.markSuccess(key, result.success);
  } catch (err) {
    if (toJobDecision(err, job.outage).action !== 'delay') await recordFailure(deps, key, job, err);
    throw err;
  }
  deps.metrics.syncLatency.observe({ entity: entityType }, Math.max(0, Date.now() - job.receivedAt.getTime()) / 1000);
  return result.value;
}

/**
 * Runs the steps that come before a sync attempt (reading and validating the record) so that
 * their failures, too, are recorded on the row (an unknown record, a lead without an email),
 * while a success leaves the row untouched for the skip decision that follows.
 */
export async function recordingFailures<T>(
  deps: Deps,
  key: SyncKey,
  entityType: EntityType,
  job: JobFacts,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (toJobDecision(err, job.outage).action !== 'delay') {
      try {
        await deps.sync.beginAttempt(key, { entityType, attempt: job.attempt, jobId: job.jobId, requestId: job.requestId });
      } catch (dbErr) {
        deps.logger.error('could not record the failure on the sync row', { error: describeError(dbErr), jobError: describeError(err) });
        // The database will refuse this row on every try, so no retry could record an outcome: the job ends here.
        if (isRowRefused(dbErr)) throw dbErr;
        throw err;
      }
      await recordFailure(deps, key, job, err);
    }
    throw err;
  }
}

async function recordFailure(deps: Deps, key: SyncKey, job: JobFacts, err: unknown): Promise<void> {
  const final = isFinalFailure(err, job);
  const message = describeError(err);
  deps.logger.warn('sync attempt failed', { attempt: job.attempt, maxAttempts: job.maxAttempts, final, error: message });
  // The job's own error is what matters; a database hiccup here must not replace it.
  await deps.sync.markFailed(key, { message, final }).catch((dbErr: unknown) => {
    deps.logger.error('could not record the failure on the sync row', { error: describeError(dbErr) });
  });
}

/** Runs fn holding the lock of one record; a busy record delays the job (throttled), spending no attempt. */
export function lockRecord<T>(
  deps: Pick<WorkerDeps, 'redis' | 'locks' | 'logger'>,
  datasheetId: string,
  recordId: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withRecordLock(
    deps.redis,
    `${datasheetId}:${recordId}`,
    {
      ...deps.locks,
      onLost: (name) => deps.logger.warn('record lock expired while the job still ran; another job may have started on it', { lock: name }),
    },
    fn,
  );
}
