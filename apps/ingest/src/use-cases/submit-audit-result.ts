import { permanent } from '@bridge/errors';
import type { AuditResultJob, EnqueueResult } from '@bridge/queues';
import { dedupOf, equalsAnySecret, headerValue, parseAuditResult, type HeaderBag } from '@bridge/webhooks';
import type { IngestDeps } from '../deps';
import { unauthorized } from '../errors';
import { noteDelivery, type DeliveryFacts } from '../note-delivery';
import { storeJob } from '../store-job';
import { refuseUnauthenticated } from '../unauthenticated';

export interface IncomingAuditResult {
  facts: DeliveryFacts;
  rawBody: Buffer;
  headers: HeaderBag;
  /** Who sent it, as rate limits count it (sourceKey of the client address). */
  client: string;
}

/**
 * The audit engine submits one result: Bearer AUDIT_API_TOKEN (compared in constant time),
 * JSON validated with the shared schema, one `audit.submitted` job on `audit-results`. The
 * same audit with the same body within the dedup window gives the same job.
 */
export async function submitAuditResult(deps: IngestDeps, input: IncomingAuditResult): Promise<EnqueueResult & { queue: 'audit-results' }> {
  const { rawBody } = input;
  let facts = input.facts;

  const bearer = /^Bearer\s+(.+)$/i.exec(headerValue(input.headers, 'authorization') ?? '')?.[1]?.trim();
  if (!bearer || !equalsAnySecret(bearer, [deps.config.AUDIT_API_TOKEN])) {
    const detail = bearer ? 'wrong token' : 'no bearer token';
    throw await refuseUnauthenticated(deps, facts, input.client, { reason: 'unauthorized', detail, error: unauthorized() });
  }

  const read = parseAuditResult(rawBody, facts.contentType);
  if (!read.ok) {
    noteDelivery(deps, facts, { outcome: 'rejected', reason: read.reason, detail: read.message, httpStatus: read.status, rawBody });
    throw permanent(read.reason, read.message, { httpStatus: read.status, details: read.details });
  }

  const { audit } = read;
  facts = { ...facts, recordId: audit.orderRecordId, eventType: 'audit.submitted' };
  const payload: AuditResultJob = {
    ...audit,
    kind: 'audit.submitted',
    deliveryId: facts.id,
    requestId: facts.requestId,
    receivedAt: facts.receivedAt.toISOString(),
  };
  const dedup = dedupOf(
    { kind: 'audit', auditId: audit.auditId, bodyHash: facts.bodyHash ?? '' },
    deps.config.WEBHOOK_DEDUP_WINDOW_SECONDS * 1000,
  );
  return storeJob(deps, facts, 'audit-results', payload, dedup, rawBody);
}
