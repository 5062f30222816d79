import { concurrencyVariable, EVENT_JOBS, QUEUE_NAMES, type ConcurrencyVariable, type QueueName } from '@bridge/queues/contracts';
import { z } from 'zod';
import { int, list, port } from '../helpers';

/**
 * Jobs run at once per process and queue, one variable per event queue of the job catalog
 * (`WORKER_CONCURRENCY_LEADS`, …), its default from the catalog. They wait on the network, not
 * the CPU: sized from the AITable budget (5 req/s × 10 records = 50 write-backs/s per datasheet)
 * times a job's time outside the batched write, plus the backfill's jobs waiting to share a re-read
 * of 200 records (docs/runbook.md, "Sizing").
 */
const concurrencyVariables = Object.fromEntries(EVENT_JOBS.map((d) => [concurrencyVariable(d.name), int(d.concurrency, 1, 500)])) as {
  [N in QueueName as ConcurrencyVariable<N>]: ReturnType<typeof int>;
};

export const workerSection = {
  /** Which queues this process consumes, so each can run as its own process. */
  WORKER_QUEUES: list()
    .pipe(z.array(z.enum(QUEUE_NAMES as [QueueName, ...QueueName[]])).min(1))
    .default([...QUEUE_NAMES]),
  ...concurrencyVariables,
  WORKER_METRICS_PORT: port(9464),
  /**
   * BullMQ's job lock: a job whose worker stops renewing it for this long (a crashed process)
   * is taken up again by another worker. @defaultValue 30000
   */
  WORKER_JOB_LOCK_MS: int(30_000, 200),
  /**
   * How many times a job may stall (its process died or its lock lapsed under load) and still be
   * run again; one more and BullMQ fails it for good, leaving it to a manual replay. BullMQ's own
   * default is 1, so two crashes on one job would lose it to the failed set. @defaultValue 3
   */
  WORKER_MAX_STALLED_COUNT: int(3, 0, 100),
  /** How often workers look for stalled jobs of crashed processes. @defaultValue 30000 */
  WORKER_STALLED_INTERVAL_MS: int(30_000, 100),
  /**
   * TTL of the per-record lock that keeps two jobs of one record apart; renewed every third of
   * it while the job runs, so it only matters when a process dies holding it. @defaultValue 30000
   */
  WORKER_RECORD_LOCK_TTL_MS: int(30_000, 200),
  /** How long a job waits (without spending an attempt) when its record is locked by another job. @defaultValue 1000 */
  WORKER_RECORD_BUSY_DELAY_MS: int(1000, 10),
  /**
   * Outage budget: how long a job waits out an outage of Postgres, Redis, AITable or MissionX
   * (errors coded `*_unavailable`) without spending attempts, from its first outage failure. After
   * it, such errors count as attempts again, so a job cannot wait forever. @defaultValue 3600000 (1 h)
   */
  WORKER_OUTAGE_BUDGET_MS: int(3_600_000, 0),
  /**
   * How old a backfill scan's read of a lead may be for its job to act on it without reading the lead
   * again, provided its sync row has not changed since the scan (one read per lead saved: the
   * backfill writes at AITable's ceiling). A change to the lead within this time that no automation
   * sends to us is missed by that job (docs/runbook.md §4.8); 0 makes every backfill job read its
   * record again. @defaultValue 120000 (2 min)
   */
  BACKFILL_READ_MAX_AGE_MS: int(120_000, 0, 3_600_000),
  /** First wait of a job in an outage; doubles with each wait. @defaultValue 1000 */
  WORKER_OUTAGE_DELAY_MS: int(1000, 10),
  /** Longest single wait in an outage: how late after the service is back a job may notice. @defaultValue 30000 */
  WORKER_OUTAGE_DELAY_MAX_MS: int(30_000, 10),
};
