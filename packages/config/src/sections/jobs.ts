import { int } from '../helpers';

/**
 * Retry policy of every job. Attempts and backoff are fixed on a job when it is added, so every
 * producer (ingest, replay) reads these, not only the workers.
 */
export const jobsSection = {
  /** Attempts per job before it lands in the failed set. @defaultValue 8 */
  JOB_ATTEMPTS: int(8, 1, 100),
  /** First backoff delay; doubles each attempt, with jitter. @defaultValue 2000 */
  JOB_BACKOFF_MS: int(2000, 10),
  /** Upper bound of one backoff delay. @defaultValue 600000 (10 min) */
  JOB_BACKOFF_MAX_MS: int(600_000, 10),
};
