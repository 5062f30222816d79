import { permanent } from '@bridge/errors';
import { Queue, type ConnectionOptions, type DeduplicationOptions, type JobsOptions } from 'bullmq';
import { EVENT_JOBS, type JobPayload, type QueueName } from './catalog';
import { jobOptionsOf, type RetryOverride } from './job-options';
import { queuePrefix } from './connection';

/** A queue whose data type is P itself, not BullMQ's conditional extraction (which a generic P defers). */
export type PayloadQueue<P> = Queue<P, unknown, string, P>;

/** The event queues, by name. */
export type BridgeQueues = { [N in QueueName]: PayloadQueue<JobPayload<N>> };

export interface QueueFactoryOptions {
  connection: ConnectionOptions;
  /** Redis key prefix. @defaultValue `bridge` */
  prefix: string;
  retry?: RetryOverride;
}

/** One BullMQ queue per event queue of the catalog, each adding jobs with its catalog options. */
export function createQueues(opts: QueueFactoryOptions): BridgeQueues {
  const entries = EVENT_JOBS.map(
    (def) =>
      [
        def.name,
        new Queue(def.name, {
          connection: opts.connection,
          prefix: queuePrefix(opts.prefix, def.name, opts.connection),
          defaultJobOptions: jobOptionsOf(def, opts.retry),
        }),
      ] as const,
  );
  return Object.fromEntries(entries) as unknown as BridgeQueues;
}

export async function closeQueues(queues: BridgeQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

export interface EnqueueOptions {
  /** Our id for the new job (a delivery id). */
  jobId: string;
  /**
   * Same key → no new job; the id of the job holding the key is returned. With `dedupTtlMs` the
   * key holds for that long. Without it the key holds while its job has not finished, and a
   * payload added while that job runs becomes one follow-up job once it ends (BullMQ's
   * `keepLastIfActive`), so no change that arrives mid-run is lost.
   */
  dedupKey?: string;
  dedupTtlMs?: number;
  /**
   * BullMQ priority, 1 (highest) to 2 097 152. Jobs without one (every live webhook) run before
   * any job with one, so bulk work passes it ({@link BACKFILL_PRIORITY}) and never delays live events.
   */
  priority?: number;
}

/** The priority of backfill jobs: below every job without a priority, i.e. every live event. */
export const BACKFILL_PRIORITY = 10;

export interface EnqueueResult {
  jobId: string;
  duplicate: boolean;
}

/**
 * Adds a job in one Redis round trip. With a dedup key BullMQ answers with the id of the job
 * already holding the key, which is how a duplicate is told apart.
 */
/**
 * What `enqueue` needs of a queue. Declared with method syntax on purpose: method parameters
 * are compared bivariantly, so the audit-results queue (a union of payload kinds) accepts an
 * `aitable.event` payload without a cast.
 */
export interface JobSink<P> {
  add(name: string, data: P, opts?: JobsOptions): Promise<{ id?: string }>;
}

export async function enqueue<P extends { kind: string }>(queue: JobSink<P>, payload: P, opts: EnqueueOptions): Promise<EnqueueResult> {
  let job: { id?: string };
  try {
    // Job name = payload kind, so Bull Board and replay filters show what a job is.
    job = await queue.add(payload.kind, payload, addOptions(opts));
  } catch (err) {
    throw unstorable(err) ?? err;
  }
  const jobId = job.id ?? opts.jobId;
  return { jobId, duplicate: jobId !== opts.jobId };
}

/**
 * BullMQ serialises the payload with JSON.stringify before it sends anything to Redis. What that
 * throws (RangeError: nested too deep or too long; TypeError: circular or a BigInt) means this
 * payload can never be stored, whatever Redis does: a permanent error, so no caller reads it as
 * "Redis is down, try again". ioredis reports connection failures as other Error classes.
 */
function unstorable(err: unknown) {
  if (!(err instanceof RangeError || err instanceof TypeError)) return undefined;
  return permanent('job_not_storable', 'The job cannot be stored: its payload cannot be serialised; sending it again cannot help', {
    httpStatus: 422,
    cause: err,
  });
}

/** The BullMQ options of one job added by `enqueue` or `enqueueBulk`. */
export function addOptions(opts: EnqueueOptions): JobsOptions {
  return {
    jobId: opts.jobId,
    ...(opts.dedupKey ? { deduplication: deduplicationOf(opts.dedupKey, opts.dedupTtlMs) } : {}),
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
  };
}

function deduplicationOf(id: string, ttlMs: number | undefined): DeduplicationOptions {
  return ttlMs === undefined ? { id, keepLastIfActive: true } : { id, ttl: ttlMs };
}
