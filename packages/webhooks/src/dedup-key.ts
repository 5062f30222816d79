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
