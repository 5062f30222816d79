import type { PrismaClient } from '@bridge/db';
import { permanent } from '@bridge/errors';
import {
  AUDIT_SUBMISSION_QUEUE,
  enqueue,
  type AitableEventJob,
  type AuditResultJob,
  type BridgeQueues,
  type QueueName,
} from '@bridge/queues';
import { dedupOf, sha256Hex } from '@bridge/webhooks';
import { getFixableDelivery } from './get-delivery';
import { validateStoredDelivery, type DeliveryRules } from './validate-delivery';

export interface ReplayDeliveryOptions {
  /** Dedup window of the enqueued job, as ingest uses it. @defaultValue 86400000 (24 h, ingest's default) */
  dedupTtlMs?: number;
}

export interface ReplayDeliveryResult {
  deliveryId: string;
  queue: QueueName;
  jobId: string;
  /** The same event was already queued within the dedup window: no new job, `jobId` is that job. */
  duplicate: boolean;
}

/**
 * Enqueues a rejected delivery whose (possibly corrected) body passes validation today,
 * exactly as ingest would have: same payload, the delivery id as job id and deliveryId, the
 * original requestId and receivedAt, the dedup key of its current body. Then marks the row
 * `replayedAt`/`replayJobId`. Still-invalid bodies are refused with the reason (422).
 */
export async function replayDelivery(
  db: PrismaClient,
  queues: BridgeQueues,
  id: string,
  rules: DeliveryRules,
  opts: ReplayDeliveryOptions = {},
): Promise<ReplayDeliveryResult> {
  const row = await getFixableDelivery(db, id);
  const v = validateStoredDelivery(row, rules);
  if (!v.ok) {
    throw permanent('still_invalid', `delivery ${id} is still invalid (${v.reason}): ${v.message}`, {
      httpStatus: 422,
      details: { reason: v.reason, ...(v.details ?? {}) },
    });
  }
  const base = {
    deliveryId: row.id,
    requestId: row.requestId,
    receivedAt: row.receivedAt.toISOString(),
    replayedAt: new Date().toISOString(),
  };
  const bodyHash = sha256Hex(Buffer.from(row.rawBody, 'utf8'));
  const dedupTtlMs = opts.dedupTtlMs ?? 86_400_000;
  let result: { jobId: string; duplicate: boolean };
  if (v.source === 'audit-api') {
    const payload: AuditResultJob = { ...v.audit, kind: 'audit.submitted', ...base };
    const dedup = dedupOf({ kind: 'audit', auditId: v.audit.auditId, bodyHash }, dedupTtlMs);
    result = await enqueue(queues[AUDIT_SUBMISSION_QUEUE], payload, { jobId: row.id, dedupKey: dedup.key, dedupTtlMs: dedup.ttlMs });
  } else {
    const payload: AitableEventJob = { kind: 'aitable.event', ...base, ...v.event };
    // By body only: whether the stored webhook-id was signed is not known here, and ingest
    // trusts only signed ones; an extra job is harmless because the workers are idempotent.
    const dedup = dedupOf({ kind: 'event', ...v.event, bodyHash }, dedupTtlMs);
    result = await enqueue(queues[v.queue], payload, { jobId: row.id, dedupKey: dedup.key, dedupTtlMs: dedup.ttlMs });
  }
  const { jobId, duplicate } = result;
  // Conditional, so two operators replaying at once both see the same job and one marking.
  await db.webhookDelivery.updateMany({
    where: { id, replayedAt: null },
    data: { replayedAt: new Date(), replayJobId: jobId, queue: v.queue },
  });
  return { deliveryId: id, queue: v.queue, jobId, duplicate };
}
