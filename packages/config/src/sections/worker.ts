import { z } from 'zod';
import { int, list, port } from '../helpers';

export const QUEUE_NAMES = ['leads', 'orders', 'audit-results'] as const;

export const workerSection = {
  /** Which queues this process consumes, so each can run as its own process. */
  WORKER_QUEUES: list()
    .pipe(z.array(z.enum(QUEUE_NAMES)).min(1))
    .default([...QUEUE_NAMES]),
  /**
   * Jobs run at once per process and queue. They wait on the network, not the CPU: sized from the
   * AITable budget (5 req/s × 10 records = 50 write-backs/s per datasheet) times a job's time
   * outside the batched write, plus two batches of 10 waiting (docs/runbook.md, "Sizing").
   * @defaultValue 50
   */
  WORKER_CONCURRENCY_LEADS: int(50, 1, 500),
  WORKER_CONCURRENCY_ORDERS: int(50, 1, 500),
  WORKER_CONCURRENCY_AUDIT_RESULTS: int(50, 1, 500),
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
};
