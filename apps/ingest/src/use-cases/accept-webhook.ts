import { permanent } from '@bridge/errors';
import type { AitableEventJob, EnqueueResult } from '@bridge/queues';
import { dedupOf, parseDelivery, verifySignature, type DeliveryQueue, type HeaderBag } from '@bridge/webhooks';
import type { IngestDeps } from '../deps';
import { unauthorized } from '../errors';
import { noteDelivery, type DeliveryFacts } from '../note-delivery';
import { storeJob } from '../store-job';
import { refuseUnauthenticated } from '../unauthenticated';

export interface IncomingWebhook {
  facts: DeliveryFacts;
  rawBody: Buffer;
  headers: HeaderBag;
  /** Who sent it, as rate limits count it (sourceKey of the client address). */
  client: string;
}

export type AcceptedWebhook = EnqueueResult & { queue: DeliveryQueue };

/**
 * The hot path of an AITable automation webhook: authenticate, validate, route, and store one
 * job in a single Redis round trip. Every outcome is noted; the delivery row is written later
 * by the batched writer, never awaited here.
 */
export async function acceptWebhook(deps: IngestDeps, input: IncomingWebhook): Promise<AcceptedWebhook> {
  const { config } = deps;
  const { rawBody, headers } = input;
  let facts = input.facts;

  const auth = verifySignature({
    rawBody,
    headers,
    secrets: config.AITABLE_WEBHOOK_SECRET,
    mode: config.AITABLE_WEBHOOK_AUTH,
    now: deps.now(),
  });
  if (!auth.ok) {
    // Untrusted: counted, and its body never kept.
    throw await refuseUnauthenticated(deps, facts, input.client, { reason: 'signature', detail: auth.reason, error: unauthorized() });
  }

  const parsed = parseDelivery(rawBody, facts.contentType, deps.datasheets);
  if (!parsed.ok) {
    noteDelivery(deps, facts, { outcome: 'rejected', reason: parsed.reason, detail: parsed.message, httpStatus: parsed.status, rawBody });
    throw permanent(parsed.reason, parsed.message, { httpStatus: parsed.status, details: parsed.details });
  }

  const { queue, event } = parsed;
  facts = { ...facts, datasheetId: event.datasheetId, recordId: event.recordId, eventType: event.eventType };
  const payload: AitableEventJob = {
    kind: 'aitable.event',
    deliveryId: facts.id,
    requestId: facts.requestId,
    receivedAt: facts.receivedAt.toISOString(),
    ...event,
  };
  // A webhook-id names a message only when it is signed with it (Standard Webhooks); a static
  // header typed into an AITable automation would otherwise make every delivery a duplicate.
  const webhookId = auth.method === 'standard' ? facts.webhookId : undefined;
  const dedup = dedupOf(
    { kind: 'event', webhookId, ...event, bodyHash: facts.bodyHash ?? '' },
    deps.config.WEBHOOK_DEDUP_WINDOW_SECONDS * 1000,
  );
  return storeJob(deps, facts, queue, payload, dedup, rawBody);
}
