import { sha256Hex } from './compare';

/** What identifies a delivery for deduplication. */
export type DedupInput =
  | {
      kind: 'event';
      /** The sender's `webhook-id`: when present it alone identifies the delivery. */
      webhookId?: string;
      datasheetId: string;
      recordId: string;
      eventType?: string;
      bodyHash: string;
    }
  | { kind: 'audit'; auditId: string; bodyHash: string };

/**
 * The dedup key of a delivery: the same `webhook-id` gives the same key; otherwise the same
 * datasheet, record, event and byte-identical body do. Hashed, so the Redis key stays short
 * whatever the sender puts in its headers.
 */
export function dedupKey(input: DedupInput): string {
  if (input.kind === 'audit') return `audit:${sha256Hex(`${input.auditId}\n${input.bodyHash}`)}`;
  if (input.webhookId) return `whid:${sha256Hex(input.webhookId)}`;
  return `evt:${sha256Hex([input.datasheetId, input.recordId, input.eventType ?? '', input.bodyHash].join('\n'))}`;
}

/** A dedup key and how long it holds; no `ttlMs` means "while the job it names has not finished". */
export interface Dedup {
  key: string;
  ttlMs?: number;
}

/**
 * The dedup of a delivery. A `webhook-id` or an audit result names one delivery, so a resend of it
 * is a duplicate for the whole window. An AITable event without a `webhook-id` is known only by
 * its content, and the same content comes again for a real new change (an ids-only body is the
 * same for every update of a record): it joins a job that has not started yet, and one that is
 * running gets one follow-up run, but once the job has finished the same content is new work.
 */
export function dedupOf(input: DedupInput, windowMs: number): Dedup {
  const key = dedupKey(input);
  return input.kind === 'event' && !input.webhookId ? { key } : { key, ttlMs: windowMs };
}
