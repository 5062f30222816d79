import type { DefaultJobOptions } from 'bullmq';
import type { EventQueueDefinition, ScheduledQueueDefinition } from './catalog';

/** Environment-wide overrides of the event queues' attempts and first delay (tests, drills); unset, the catalog decides. */
export interface RetryOverride {
  attempts?: number;
  backoffMs?: number;
}

export const retryOverrideFromConfig = (c: { JOB_ATTEMPTS?: number; JOB_BACKOFF_MS?: number }): RetryOverride => ({
  ...(c.JOB_ATTEMPTS === undefined ? {} : { attempts: c.JOB_ATTEMPTS }),
  ...(c.JOB_BACKOFF_MS === undefined ? {} : { backoffMs: c.JOB_BACKOFF_MS }),
});

/**
 * The options every job of a queue is added with, from its catalog entry. Attempts and backoff
 * are fixed on a job when it is added, so producers (ingest, replay, reconcile) use these.
 */
export function jobOptionsOf(def: EventQueueDefinition | ScheduledQueueDefinition, override: RetryOverride = {}): DefaultJobOptions {
  const retry = def.kind === 'event' ? { ...def.retry, ...override } : def.retry;
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: retry.jitter },
    removeOnComplete: def.keep.completed,
    removeOnFail: def.keep.failed,
  };
}

/**
 * The backoff type jobs were added with before the catalog (BullMQ's `exponential` with jitter
 * replaced it). Jobs still in Redis from then keep it, so the workers still answer it.
 */
export const LEGACY_BACKOFF_TYPE = 'capped-jitter';

/** The legacy type's delay: exponential from `delayMs`, capped at 10 min, half of it random. */
export function legacyBackoffDelay(attemptsMade: number, delayMs: number, random = Math.random): number {
  const exp = Math.min(600_000, delayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
