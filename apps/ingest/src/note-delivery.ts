import type { DeliveryRow } from '@bridge/db';
import type { IngestDeps } from './deps';

/** What is known of a delivery before it is judged: enough for a row whatever the outcome. */
export type DeliveryFacts = Pick<
  DeliveryRow,
  'id' | 'receivedAt' | 'requestId' | 'source' | 'webhookId' | 'bodyHash' | 'contentType' | 'datasheetId' | 'recordId' | 'eventType'
>;

type Outcome =
  | { outcome: 'accepted' | 'duplicate'; queue: string; jobId: string }
  | { outcome: 'rejected'; reason: string; detail?: string; httpStatus: number; queue?: string; rawBody?: Buffer };

/**
 * Records one delivery: a row for the batched writer (off the request path), a metric, and a
 * log line that names what happened without any body content, signature or secret.
 * A raw body is passed only for deliveries that passed authentication. `keepRow: false` (an
 * unauthenticated reject over its budget, see refuseUnauthenticated) counts it only.
 */
export function noteDelivery(deps: IngestDeps, facts: DeliveryFacts, o: Outcome, { keepRow = true } = {}): void {
  const labels = { source: facts.source, outcome: o.outcome, reason: o.outcome === 'rejected' ? o.reason : '', queue: o.queue ?? '' };
  deps.metrics.deliveries.inc(labels);
  if (!keepRow) return;
  const where = { deliveryId: facts.id, source: facts.source, datasheetId: facts.datasheetId, recordId: facts.recordId };
  if (o.outcome === 'rejected') {
    const { rawBody, ...rest } = o;
    deps.deliveries.record({ ...facts, ...rest, ...(rawBody ? { rawBody: rawBody.toString('utf8') } : { contentType: undefined }) });
    deps.logger.warn('delivery rejected', { ...where, reason: o.reason, httpStatus: o.httpStatus, detail: o.detail });
    return;
  }
  deps.deliveries.record({ ...facts, ...o, httpStatus: 202 });
  deps.logger.info(o.outcome === 'duplicate' ? 'delivery was a duplicate' : 'delivery accepted', {
    ...where,
    queue: o.queue,
    jobId: o.jobId,
  });
}
