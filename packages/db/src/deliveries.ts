import { createBatchWriter, type BatchWriter, type BatchWriterOptions } from './batch-writer';
import { insertRows, sanitize, type DeliveryRow } from './delivery-rows';
import type { PrismaClient } from './generated/prisma/client';

export { STORED_HEADER_MAX, type DeliveryRow } from './delivery-rows';

/** The batching options of {@link createBatchWriter}; `maxBufferedBytes` counts raw-body bytes. */
export type DeliveryWriterOptions = Omit<BatchWriterOptions<DeliveryRow>, 'table' | 'insert' | 'idOf' | 'sizeOf'>;

/** Writes delivery rows off the request path. */
export type DeliveryWriter = BatchWriter<DeliveryRow>;

/**
 * The batch writer of `WebhookDelivery` rows. Rows are cleaned of what Postgres cannot hold
 * as they are inserted, which keeps the buffered size (raw-body length) unchanged.
 */
export function createDeliveryWriter(db: PrismaClient, opts: DeliveryWriterOptions = {}): DeliveryWriter {
  return createBatchWriter<DeliveryRow>({
    ...opts,
    table: 'WebhookDelivery',
    insert: (rows) => insertRows(db, rows.map(sanitize)),
    idOf: (row) => row.id,
    sizeOf: (row) => row.rawBody?.length ?? 0,
  });
}
