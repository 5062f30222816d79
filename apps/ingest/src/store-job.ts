import type { EnqueueResult, JobPayload, QueueName } from '@bridge/queues';
import type { IngestDeps } from './deps';
import { enqueueWithin } from './enqueue-within';
import { noteDelivery, type DeliveryFacts } from './note-delivery';

/**
 * The last step of both ingest paths: one job in Redis (deduplicated within the configured
 * window) and the delivery noted. When Redis does not store it, the body of this
 * authenticated, valid delivery is kept for replay and the caller gets the 503.
 */
export async function storeJob<N extends QueueName>(
  deps: IngestDeps,
  facts: DeliveryFacts,
  queue: N,
  payload: JobPayload<N>,
  dedupKey: string,
  rawBody: Buffer,
): Promise<EnqueueResult & { queue: N }> {
  const { config } = deps;
  try {
    const result = await enqueueWithin(
      deps.queues,
      queue,
      payload,
      { jobId: facts.id, dedupKey, dedupTtlMs: config.WEBHOOK_DEDUP_WINDOW_SECONDS * 1000 },
      config.INGEST_REDIS_TIMEOUT_MS,
    );
    noteDelivery(deps, facts, { outcome: result.duplicate ? 'duplicate' : 'accepted', queue, jobId: result.jobId });
    return { queue, ...result };
  } catch (err) {
    noteDelivery(deps, facts, { outcome: 'rejected', reason: 'queue_unavailable', detail: 'Redis did not store the job', httpStatus: 503, queue, rawBody });
    throw err;
  }
}
