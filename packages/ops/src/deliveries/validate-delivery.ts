import type { PrismaClient, WebhookDelivery } from '@bridge/db';
import { AUDIT_SUBMISSION_QUEUE, type AuditResultInput } from '@bridge/queues';
import {
  parseAuditResult,
  parseDelivery,
  type BodyRejection,
  type DeliveryEvent,
  type DeliveryRules,
  type DeliveryQueue,
} from '@bridge/webhooks';
import { getFixableDelivery } from './get-delivery';

export { datasheetsFromConfig, deliveryRulesFromConfig, type ConfiguredDatasheets, type DeliveryRules } from '@bridge/webhooks';

/** What a stored body says today: where it would go, or why it is still refused. */
export type Validation =
  | { ok: true; source: 'aitable'; queue: DeliveryQueue; event: DeliveryEvent }
  | { ok: true; source: 'audit-api'; queue: typeof AUDIT_SUBMISSION_QUEUE; audit: AuditResultInput }
  | { ok: false; reason: BodyRejection['reason']; message: string; details?: Record<string, unknown> };

function refused(r: BodyRejection): Validation {
  return { ok: false, reason: r.reason, message: r.message, ...(r.details ? { details: r.details } : {}) };
}

/** Runs a stored delivery through the same checks ingest runs, with today's configuration. */
export function validateStoredDelivery(
  row: Pick<WebhookDelivery, 'source' | 'contentType'> & { rawBody: string },
  rules: DeliveryRules,
): Validation {
  const raw = Buffer.from(row.rawBody, 'utf8');
  if (row.source === 'audit-api') {
    const r = parseAuditResult(raw, row.contentType ?? undefined, { allowHttpFileUrls: rules.allowHttpFileUrls });
    return r.ok ? { ok: true, source: 'audit-api', queue: AUDIT_SUBMISSION_QUEUE, audit: r.audit } : refused(r);
  }
  const r = parseDelivery(raw, row.contentType ?? undefined, rules);
  return r.ok ? { ok: true, source: 'aitable', queue: r.queue, event: r.event } : refused(r);
}

/**
 * Re-validates a rejected delivery after a configuration fix (a datasheet id that was
 * missing, say). Changes nothing; says where the delivery would go now, or why not.
 */
export async function revalidateDelivery(db: PrismaClient, id: string, rules: DeliveryRules): Promise<Validation> {
  const row = await getFixableDelivery(db, id);
  return validateStoredDelivery(row, rules);
}
