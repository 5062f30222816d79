import { toJobDecision } from '@bridge/errors';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';

/**
 * Runs a job's use case and turns its failure into BullMQ's language, using the one
 * decision table in @bridge/errors:
 * - permanent → UnrecoverableError: no more attempts, the job stays failed for replay;
 * - throttled → moved to delayed without spending an attempt;
 * - anything else → rethrown: an attempt is spent and the backoff applies.
 */
export async function runJob<T>(job: Job, token: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const decision = toJobDecision(err);
    if (decision.action === 'fail') {
      const unrecoverable = new UnrecoverableError(err instanceof Error ? err.message : String(err));
      unrecoverable.cause = err;
      throw unrecoverable;
    }
    if (decision.action === 'delay' && token) {
      await job.moveToDelayed(Date.now() + decision.delayMs, token);
      throw new DelayedError();
    }
    throw err;
  }
}
