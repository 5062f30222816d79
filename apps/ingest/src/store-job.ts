import { describeError, isAppError } from '@bridge/errors';
import type { EnqueueResult, JobPayload, QueueName } from '@bridge/queues';
import type { Dedup } from '@bridge/webhooks';
import type { IngestDeps } from './deps';
import { enqueueWithin, queueUnavailable } from './enqueue-within';
import { noteDelivery, type DeliveryFacts } from './note-delivery';

/**
 * The last step of both ingest paths: one job in Redis (deduplicated as `dedup` says) and the
 * delivery noted. When it is not stored, the body of this authenticated,
 * valid delivery is kept for replay and the caller gets the error's own answer: a 503 only when
 * Redis failed, a 4xx when the job itself cannot be built. The cause goes to the log and the row.
 */
export async function storeJob<N extends QueueName>(
  deps: IngestDeps,
  facts: DeliveryFacts,
  queue: N,
  payload: JobPayload<N>,
  dedup: Dedup,
  rawBody: Buffer,
): Promise<EnqueueResult & { queue: N }> {
  try {
    const result = await enqueueWithin(deps.enqueueTarget, queue, payload, {
      jobId: facts.id,
      dedupKey: dedup.key,
      dedupTtlMs: dedup.ttlMs,
    });
    noteDelivery(deps, facts, { outcome: result.duplicate ? 'duplicate' : 'accepted', queue, jobId: result.jobId });
    return { queue, ...result };
  } catch (err) {
    const e = isAppError(err) ? err : queueUnavailable(err);
    const detail = e.cause === undefined ? e.message : `${e.message} (cause: ${describeError(e.cause)})`;
    noteDelivery(deps, facts, { outcome: 'rejected', reason: e.code, detail, httpStatus: e.httpStatus, queue, rawBody });
    throw e;
  }
}
