import { describeError, isAppError, toJobDecision, type AppError } from '@bridge/errors';
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

/** What `runJob` throws for a retriable AppError: its message leads with the code, its cause is the AppError. */
class JobAttemptFailed extends Error {
  override readonly cause: AppError;
  constructor(err: AppError) {
    super(describeError(err), { cause: err });
    this.name = err.name;
    this.cause = err;
    this.stack = `${this.name}: ${this.message}${err.stack?.slice(err.stack.indexOf('\n')) ?? ''}`;
  }
}

function withCodeInMessage(err: unknown): unknown {
  return isAppError(err) ? new JobAttemptFailed(err) : err;
}

/** The error the use case threw, from what `runJob` threw (which wraps it to steer BullMQ). */
export function useCaseError(err: unknown): unknown {
  if (err instanceof JobAttemptFailed) return err.cause;
  if (err instanceof UnrecoverableError && err.cause) return err.cause;
  return err;
}
