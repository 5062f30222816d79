import { isAppError, transient } from '@bridge/errors';
import { enqueue, type BridgeQueues, type EnqueueOptions, type EnqueueResult, type JobPayload, type QueueName } from '@bridge/queues';
import { withTimeLimit } from '@bridge/errors';

/** How long a sender is asked to wait after a 503. */
const RETRY_AFTER_MS = 5000;

export const queueUnavailable = (cause?: unknown) =>
  transient('queue_unavailable', 'The queue is unavailable; the delivery was not accepted, send it again shortly', {
    httpStatus: 503,
    retryAfterMs: RETRY_AFTER_MS,
    cause,
  });

/**
 * Adds a job, or fails with a 503 within `timeoutMs`: the producer connection has no offline
 * queue, and while it is (re)connecting BullMQ would wait for it, so we race the add against a
 * timer. If the add lands after the timer, the sender's retry is caught by the dedup key.
 */
export async function enqueueWithin<N extends QueueName>(
  queues: BridgeQueues,
  name: N,
  payload: JobPayload<N>,
  opts: EnqueueOptions,
  timeoutMs: number,
): Promise<EnqueueResult> {
  try {
    return await withTimeLimit(enqueue(queues[name], payload, opts), timeoutMs, () => {
      throw queueUnavailable(new Error(`no answer from Redis within ${timeoutMs} ms`));
    });
  } catch (err) {
    throw isAppError(err) ? err : queueUnavailable(err);
  }
}
