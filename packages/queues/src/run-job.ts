import { describeError, isAppError, toJobDecision } from '@bridge/errors';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';

/**
 * Runs a job's use case and turns its failure into BullMQ's language, using the one
 * decision table in @bridge/errors:
 * - permanent → UnrecoverableError: no more attempts, the job stays failed for replay;
 * - throttled → moved to delayed without spending an attempt;
 * - anything else → rethrown: an attempt is spent and the backoff applies.
 * BullMQ keeps the thrown message as the job's failed reason, so it starts with the error code
 * (`missionx_unavailable: …`): `npm run replay -- jobs --error unavailable` finds it.
 */
export async function runJob<T>(job: Job, token: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const decision = toJobDecision(err);
    if (decision.action === 'fail') {
      const unrecoverable = new UnrecoverableError(describeError(err));
      unrecoverable.cause = err;
      throw unrecoverable;
    }
    if (decision.action === 'delay' && token) {
      await job.moveToDelayed(Date.now() + decision.delayMs, token);
      throw new DelayedError();
    }
    throw decision.action === 'retry' ? withCodeInMessage(err) : err;
  }
}

function withCodeInMessage(err: unknown): unknown {
  if (!isAppError(err)) return err;
  const failure = new Error(describeError(err), { cause: err });
  failure.name = err.name;
  failure.stack = `${failure.name}: ${failure.message}${err.stack?.slice(err.stack.indexOf('\n')) ?? ''}`;
  return failure;
}
