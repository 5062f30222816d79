import { toJobDecision, type OutageContext } from '@bridge/errors';
import type { Job } from 'bullmq';

/** What a use case knows about the job running it: for sync rows, logs and metrics. */
export interface JobFacts {
  jobId: string;
  queue: string;
  /** 1-based attempt number (`attemptsMade + 1`); a delay for a busy record or a 429 does not count. */
  attempt: number;
  maxAttempts: number;
  requestId: string;
  /** When ingest accepted the event: the start of the sync latency. */
  receivedAt: Date;
  /** The job's outage history and budget: an outage error within it delays the job instead of failing the attempt. */
  outage?: OutageContext;
  /** A job with a BullMQ priority (a backfill's): its AITable writes go after live events' writes. */
  bulk: boolean;
}

export function jobFacts(job: Job, payload: { requestId: string; receivedAt: string }, outage?: OutageContext): JobFacts {
  return {
    ...(outage ? { outage } : {}),
    jobId: job.id ?? 'unknown',
    queue: job.queueName,
    attempt: job.attemptsMade + 1,
    maxAttempts: job.opts.attempts ?? 1,
    requestId: payload.requestId,
    receivedAt: new Date(payload.receivedAt),
    bulk: isBulkJob(job),
  };
}

/** A job with a BullMQ priority: a backfill's (live events have none). */
export const isBulkJob = (job: Pick<Job, 'opts'>): boolean => (job.opts.priority ?? 0) > 0;

/** True when this failure ends the job: a permanent error, or a retriable one on the last attempt. */
export function isFinalFailure(err: unknown, job: Pick<JobFacts, 'attempt' | 'maxAttempts' | 'outage'>): boolean {
  const decision = toJobDecision(err, job.outage);
  if (decision.action === 'fail') return true;
  if (decision.action === 'delay') return false;
  return job.attempt >= job.maxAttempts;
}
