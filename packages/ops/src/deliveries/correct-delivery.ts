import type { PrismaClient } from '@bridge/db';
import { permanent } from '@bridge/errors';
import { getFixableDelivery } from './get-delivery';
import { validateStoredDelivery, type DeliveryRules, type Validation } from './validate-delivery';

export interface CorrectDeliveryInput {
  /** The fixed body (for example the JSON with the quote that broke it escaped). */
  rawBody: string;
  /** A corrected Content-Type, when the sender's was wrong. Kept as it was when missing. */
  contentType?: string;
  /** Who corrected it, kept in the row's detail. */
  actor?: string;
  /** Largest body accepted. @defaultValue 262144, ingest's default limit */
  maxBytes?: number;
}

/**
 * Replaces the stored body of a rejected delivery with an operator's correction and says
 * whether it now passes validation. `bodyHash` stays the hash of the body as received and the
 * detail keeps the original rejection, so what was changed stays traceable; nothing is enqueued (see replayDelivery).
 */
export async function correctDelivery(
  db: PrismaClient,
  id: string,
  input: CorrectDeliveryInput,
  rules: DeliveryRules,
): Promise<Validation> {
  if (typeof input.rawBody !== 'string' || input.rawBody.trim() === '') {
    throw permanent('invalid_argument', 'rawBody must be the corrected body, a non-empty string', {
      httpStatus: 400,
      details: { field: 'rawBody' },
    });
  }
  const max = input.maxBytes ?? 256 * 1024;
  if (Buffer.byteLength(input.rawBody, 'utf8') > max) {
    throw permanent('invalid_argument', `rawBody is larger than ${max} bytes`, { httpStatus: 400, details: { field: 'rawBody' } });
  }
  const row = await getFixableDelivery(db, id);
  const contentType = input.contentType ?? row.contentType;
  const result = validateStoredDelivery({ source: row.source, contentType, rawBody: input.rawBody }, rules);
  // bodyHash stays the hash of the body as received; the detail keeps the original rejection.
  const original = /\boriginally: ([\s\S]*)$/.exec(row.detail ?? '')?.[1] ?? row.detail ?? row.reason ?? 'rejected';
  const status = result.ok ? `now valid (${result.queue})` : `still invalid: ${result.message}`;
  const detail = `corrected at ${new Date().toISOString()}${input.actor ? ` by ${input.actor}` : ''}; ${status}; originally: ${original}`;
  await db.webhookDelivery.update({
    where: { id },
    data: {
      rawBody: input.rawBody.replace(/\u0000/g, '\uFFFD'),
      contentType,
      detail: detail.slice(0, 4000),
    },
  });
  return result;
}
