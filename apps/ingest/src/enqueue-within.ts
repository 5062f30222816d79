import type { IngestDurability } from '@bridge/config';
import { isAppError, transient, withTimeLimit, type AppError } from '@bridge/errors';
import {
  enqueue,
  queuePrefix,
  waitForReplicas,
  type BridgeQueues,
  type EnqueueOptions,
  type EnqueueResult,
  type JobPayload,
  type QueueName,
  type RedisConnection,
} from '@bridge/queues';

/** How long a sender is asked to wait after a 503. */
const RETRY_AFTER_MS = 5000;

/** Pause between two tries while a request is held for a new primary: an election takes seconds, not milliseconds. */
const HOLD_STEP_MS = 200;

export const queueUnavailable = (cause?: unknown) =>
  transient('queue_unavailable', 'The queue is unavailable; the delivery was not accepted, send it again shortly', {
    httpStatus: 503,
    retryAfterMs: RETRY_AFTER_MS,
    cause,
  });

const replicaUnconfirmed = (asked: number, got: number, timeoutMs: number) =>
  transient(
    'replica_unconfirmed',
    `The job reached the Redis primary, but ${got} of ${asked} replicas confirmed it within ${timeoutMs} ms, so a failover could lose it; send it again shortly (a resend is deduplicated)`,
    { httpStatus: 503, retryAfterMs: RETRY_AFTER_MS },
  );

/** What an enqueue from ingest needs: the queues, the connection they write on, and how hard to hold on to a 202. */
export interface EnqueueTarget {
  queues: BridgeQueues;
  redis: RedisConnection;
  /** Longest wait for one Redis answer (INGEST_REDIS_TIMEOUT_MS). */
  timeoutMs: number;
  durability: IngestDurability;
  /** `QUEUE_PREFIX`, whose queue prefix names the slot a Cluster WAIT goes to. */
  prefix: string;
  onWaitFailed?(): void;
  onHoldEnded?(outcome: 'stored' | 'gave_up'): void;
}

/**
 * Adds a job and, with `waitReplicas` > 0, waits until that many replicas hold it (WAIT, on the
 * connection that wrote it), or fails with a 503. The producer connection has no offline queue,
 * and while it is (re)connecting BullMQ would wait for it, so each try is raced against a timer.
 *
 * While Redis fails (a primary gone and another being elected) the request is held and tried
 * again for up to `failoverHoldMs`: AITable never resends, so a 503 costs a reconciliation run.
 * Trying again is safe: the job id is the delivery id, so a try that did land is found, not doubled.
 */
export async function enqueueWithin<N extends QueueName>(
  target: EnqueueTarget,
  name: N,
  payload: JobPayload<N>,
  opts: EnqueueOptions,
): Promise<EnqueueResult> {
  const { durability } = target;
  const perTry = target.timeoutMs + (durability.waitReplicas > 0 ? durability.waitTimeoutMs : 0);
  // The whole request, held or not, answers within max(hold, one try): a sender's own timeout stays out of reach.
  const deadline = Date.now() + Math.max(durability.failoverHoldMs, perTry);
  let previous: AppError | undefined;
  for (let tries = 1; ; tries++) {
    const limit = Math.max(50, Math.min(perTry, deadline - Date.now()));
    try {
      const result = await withTimeLimit(storeOnce(target, name, payload, opts), limit, () => {
        throw queueUnavailable(new Error(`no answer from Redis within ${limit} ms`));
      });
      if (tries > 1) target.onHoldEnded?.('stored');
      return result;
    } catch (err) {
      let e = isAppError(err) ? err : queueUnavailable(err);
      if (e.kind === 'permanent') throw e;
      // A last try cut short by the deadline says less than the failure before it (say, no replica confirmed).
      if (limit < perTry && previous) e = previous;
      if (Date.now() + HOLD_STEP_MS >= deadline) {
        if (tries > 1) target.onHoldEnded?.('gave_up');
        throw e;
      }
      previous = e;
      await new Promise((r) => setTimeout(r, HOLD_STEP_MS));
    }
  }
}

async function storeOnce<N extends QueueName>(target: EnqueueTarget, name: N, payload: JobPayload<N>, opts: EnqueueOptions) {
  const result = await enqueue(target.queues[name], payload, opts);
  const { waitReplicas, waitTimeoutMs } = target.durability;
  if (waitReplicas === 0) return result;
  // The queue's own key names its slot; WAIT has no key of its own.
  const slotKey = `${queuePrefix(target.prefix, name, target.redis)}:${name}`;
  const got = await waitForReplicas(target.redis, slotKey, waitReplicas, waitTimeoutMs);
  if (got < waitReplicas) {
    target.onWaitFailed?.();
    throw replicaUnconfirmed(waitReplicas, got, waitTimeoutMs);
  }
  return result;
}
