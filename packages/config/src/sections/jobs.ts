import { z } from 'zod';

const optionalInt = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).optional();

/**
 * Overrides of the event queues' retries. Each queue's attempts and backoff are in the job
 * catalog (packages/queues/src/catalog.ts); these, when set, replace them for every event queue
 * (test runs and drills want short ones). Fixed on a job when it is added, so every producer
 * (ingest, replay, reconcile) reads them, not only the workers.
 */
export const jobsSection = {
  /** Attempts per job before it lands in the failed set. @defaultValue the catalog's (8) */
  JOB_ATTEMPTS: optionalInt(1, 100),
  /** First backoff delay in ms; doubles each attempt, half of it random. @defaultValue the catalog's (2000) */
  JOB_BACKOFF_MS: optionalInt(10),
};
