import type { Config } from '@bridge/config';
import type { DefaultJobOptions } from 'bullmq';

export interface RetryPolicy {
  /** @defaultValue 8 */
  attempts: number;
  /** First delay in ms; doubles each attempt. @defaultValue 2000 */
  backoffMs: number;
  /** Cap of one delay in ms. @defaultValue 600000 */
  backoffMaxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, backoffMs: 2000, backoffMaxMs: 600_000 };

export const retryPolicyFromConfig = (c: Config<'jobs'>): RetryPolicy => ({
  attempts: c.JOB_ATTEMPTS,
  backoffMs: c.JOB_BACKOFF_MS,
  backoffMaxMs: c.JOB_BACKOFF_MAX_MS,
});

/** Name of the backoff type the workers implement with `backoffDelay`. */
export const BACKOFF_TYPE = 'capped-jitter';

const DAY = 24 * 3600;

/**
 * Completed jobs are kept a week (they are the proof of what ran and back dedup); failed jobs
 * a month, because they are what an engineer replays. Never `removeOnFail: true`.
 */
export function defaultJobOptions(retry: RetryPolicy = DEFAULT_RETRY): DefaultJobOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: BACKOFF_TYPE, delay: retry.backoffMs },
    removeOnComplete: { age: 7 * DAY, count: 50_000 },
    removeOnFail: { age: 30 * DAY, count: 100_000 },
  };
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries of
 * a burst spread out but never come back sooner than half the exponential step.
 */
export function backoffDelay(attemptsMade: number, retry: Pick<RetryPolicy, 'backoffMs' | 'backoffMaxMs'>, random = Math.random): number {
  const exp = Math.min(retry.backoffMaxMs, retry.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
