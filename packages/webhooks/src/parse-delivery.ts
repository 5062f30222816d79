import type { ConfiguredDatasheets } from '@bridge/config';
import { aitableId, EVENT_JOBS, EVENT_TYPES, fieldValuesSchema, type AitableEventJob, type QueueName } from '@bridge/queues/contracts';
import { z } from 'zod';
import { parseJsonBody, type BodyRejection } from './json-body';

/** The body the deployment guide documents; `eventType` and `record` may be left out. Extra keys are ignored. */
export const webhookBodySchema = z.object({
  eventType: z.enum(EVENT_TYPES).optional(),
  datasheetId: aitableId('dst', 'datasheet'),
  recordId: aitableId('rec', 'record'),
  record: z.object({ fields: fieldValuesSchema }).optional(),
});

export { datasheetsFromConfig, deliveryRulesFromConfig, type ConfiguredDatasheets, type DeliveryRules } from '@bridge/config';

/** The event queue a datasheet's webhooks go to (the job catalog says which). */
export type DeliveryQueue = QueueName;
/** What a valid delivery says, ready to become an `aitable.event` job. */
export type DeliveryEvent = Pick<AitableEventJob, 'eventType' | 'datasheetId' | 'recordId' | 'fields'>;

export type ParseResult = { ok: true; queue: DeliveryQueue; event: DeliveryEvent } | BodyRejection;

/** One line per zod issue, `path: message`, for answers and the delivery row. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.length ? i.path.map(String).join('.') : '(root)', message: i.message }));
}

/** A 422 listing every zod issue by path. */
export function payloadRejection(error: z.ZodError, what: string): BodyRejection {
  const issues = describeIssues(error);
  return {
    ok: false,
    status: 422,
    reason: 'invalid_payload',
    message: `Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    details: { issues },
  };
}

/**
 * Content type, JSON, shape and datasheet of a webhook delivery, in that order; the first
 * problem found is the answer. Pure, so a rejected delivery can be re-validated later.
 */
export function parseDelivery(rawBody: Buffer, contentType: string | undefined, datasheets: ConfiguredDatasheets): ParseResult {
  const json = parseJsonBody(rawBody, contentType);
  if (!json.ok) return json;
  const parsed = webhookBodySchema.safeParse(json.value);
  if (!parsed.success) return payloadRejection(parsed.error, 'webhook body');
  const body = parsed.data;
  const queue = routeOf(body.datasheetId, datasheets);
  if (!queue) {
    return {
      ok: false,
      status: 422,
      reason: 'unknown_datasheet',
      message: `Datasheet ${body.datasheetId} is not one of the configured datasheets (leads, orders, audit results)`,
      details: { datasheetId: body.datasheetId },
      ids: { datasheetId: body.datasheetId, recordId: body.recordId, ...(body.eventType ? { eventType: body.eventType } : {}) },
    };
  }
  const event: DeliveryEvent = { datasheetId: body.datasheetId, recordId: body.recordId };
  if (body.eventType) event.eventType = body.eventType;
  if (body.record) event.fields = body.record.fields;
  return { ok: true, queue, event };
}

function routeOf(datasheetId: string, d: ConfiguredDatasheets): DeliveryQueue | undefined {
  return EVENT_JOBS.find((job) => d[job.datasheet] === datasheetId)?.name;
}
