import type { JobsOptions } from 'bullmq';
import { addOptions, type EnqueueOptions, type EnqueueResult } from './queues';

/** What `enqueueBulk` needs of a queue (method syntax, for the same reason as `JobSink`). */
export interface BulkJobSink<P> {
  addBulk(jobs: { name: string; data: P; opts?: JobsOptions }[]): Promise<{ id?: string }[]>;
}

/**
 * Adds many jobs in one Redis round trip (BullMQ `addBulk`), each with the options `enqueue`
 * would give it; answers per job, in order, whether it was new or a duplicate of a job holding
 * its dedup key.
 */
export async function enqueueBulk<P extends { kind: string }>(
  queue: BulkJobSink<P>,
  jobs: readonly { payload: P; opts: EnqueueOptions }[],
): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  const added = await queue.addBulk(jobs.map((j) => ({ name: j.payload.kind, data: j.payload, opts: addOptions(j.opts) })));
  return added.map((job, i) => {
    const ours = jobs[i]!.opts.jobId;
    const jobId = job.id ?? ours;
    return { jobId, duplicate: jobId !== ours };
  });
}
