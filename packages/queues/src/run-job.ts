import {
  describeError,
  isAppError,
  toJobDecision,
  transient,
  withTimeLimit,
  type AppError,
  type JobDecision,
  type OutageContext,
} from '@bridge/errors';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';

/** The job data key under which a job keeps its outage history (payload schemas ignore it). */
const OUTAGE_KEY = 'outage';

/** A job's outage history: when it first failed for an outage, and how many outage delays it had. */
export function outageOfJob(job: Pick<Job, 'data'>): { since: number | undefined; delays: number } {
  const raw = (job.data as Record<string, unknown> | undefined)?.[OUTAGE_KEY] as { since?: unknown; delays?: unknown } | undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return { since: num(raw?.since), delays: num(raw?.delays) ?? 0 };
}

/**
 * Drops a job's outage history, when it fails for good (a replay, with fresh attempts, then gets a
 * fresh outage budget too) or fails for another reason than an outage.
 */
export async function forgetOutage(job: Job): Promise<void> {
  if (outageOfJob(job).since === undefined) return;
  const { [OUTAGE_KEY]: _dropped, ...data } = job.data as Record<string, unknown>;
  await job.updateData(data);
}

export interface RunJobOptions {
  /** The job's outage history and the policy: outage errors within the budget delay it. */
  outage?: OutageContext;
  /** Told of every delay that spends no attempt, before the job moves. */
  onDelay?: (decision: Extract<JobDecision, { action: 'delay' }>, err: unknown) => void;
}

/**
 * Runs a job's use case and turns its failure into BullMQ's language, using the one
 * decision table in @bridge/errors:
 * - permanent → UnrecoverableError: no more attempts, the job stays failed for replay;
 * - throttled, or an outage within the job's outage budget → moved to delayed without spending
 *   an attempt (an outage's start is kept in the job's data first, so the budget survives restarts);
 * - anything else → rethrown: an attempt is spent and the backoff applies.
 * BullMQ keeps the thrown message as the job's failed reason, so it starts with the error code
 * (`missionx_unavailable: …`): `npm run replay -- jobs --error unavailable` finds it.
 */
export async function runJob<T>(job: Job, token: string | undefined, fn: () => Promise<T>, opts: RunJobOptions = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const decision = toJobDecision(err, opts.outage);
    if (decision.action === 'fail') {
      const unrecoverable = new UnrecoverableError(describeError(err));
      unrecoverable.cause = err;
      throw unrecoverable;
    }
    if (decision.action === 'delay' && token) {
      if (decision.outageSince !== undefined) {
        const delays = (opts.outage?.delays ?? 0) + 1;
        await job.updateData({ ...(job.data as object), [OUTAGE_KEY]: { since: decision.outageSince, delays } });
      }
      opts.onDelay?.(decision, err);
      await job.moveToDelayed(Date.now() + decision.delayMs, token);
      throw new DelayedError();
    }
    // A failure that is not an outage means the job got past whatever was down: a later outage
    // gets a budget of its own rather than the remains of this one. (An outage past its budget
    // keeps its start, or it would be waited out again and again.)
    const outage = isAppError(err) && err.outage;
    if (decision.action === 'retry' && !outage && opts.outage?.since !== undefined) await forgetOutage(job);
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

/**
 * Runs one job within its queue's catalog time limit. After it the job is given up with a
 * transient `job_timeout` (an attempt spent). The abandoned run is not cancelled: its record lock
 * keeps a retry of the same record waiting until it ends.
 */
export function withinTimeout<T>(def: { name: string; timeoutMs: number }, fn: () => Promise<T>): Promise<T> {
  return withTimeLimit(fn(), def.timeoutMs, () => {
    throw transient('job_timeout', `A job of queue ${def.name} ran longer than ${def.timeoutMs} ms and was given up`, {
      details: { queue: def.name, timeoutMs: def.timeoutMs },
    });
  });
}
