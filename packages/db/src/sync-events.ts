import { createBatchWriter, type BatchWriter, type BatchWriterOptions } from './batch-writer';
import type { EntityType, PrismaClient, SyncEventOutcome } from './client';

/** One attempt result of a sync job, as the worker records it (a `SyncEvent` row). */
export interface SyncEventRow {
  id: string;
  /** When ingest accepted the event. */
  receivedAt: Date;
  /** When the attempt ended. */
  finishedAt: Date;
  entityType: EntityType;
  queue: string;
  jobId: string;
  datasheetId?: string;
  recordId?: string;
  attempt: number;
  outcome: SyncEventOutcome;
  result?: string;
  errorCode?: string;
}

/** Takes history rows without waiting: the worker's use of the history writer. */
export type SyncEventSink = Pick<SyncEventWriter, 'record'>;

export type SyncEventWriter = BatchWriter<SyncEventRow>;
export type SyncEventWriterOptions = Omit<BatchWriterOptions<SyncEventRow>, 'table' | 'insert' | 'idOf'>;

/** The batch writer of `SyncEvent` rows: off the job's path, one INSERT per batch, a refused row set aside alone. */
export function createSyncEventWriter(db: PrismaClient, opts: SyncEventWriterOptions = {}): SyncEventWriter {
  return createBatchWriter<SyncEventRow>({
    ...opts,
    table: 'SyncEvent',
    insert: (rows) => insertSyncEvents(db, rows),
    idOf: (row) => row.id,
  });
}

/**
 * One INSERT of many history rows through `unnest` (see insertRows of the delivery rows for why);
 * ON CONFLICT makes a retry after a lost answer harmless.
 */
export async function insertSyncEvents(db: PrismaClient, rows: readonly SyncEventRow[]): Promise<void> {
  const col = <K extends keyof SyncEventRow>(k: K) => rows.map((r) => r[k] ?? null);
  await db.$executeRaw`
    INSERT INTO "SyncEvent" ("id", "receivedAt", "finishedAt", "entityType", "queue", "jobId", "datasheetId", "recordId",
      "attempt", "outcome", "result", "errorCode")
    SELECT * FROM unnest(${col('id')}::uuid[], ${col('receivedAt')}::timestamptz[], ${col('finishedAt')}::timestamptz[],
      ${col('entityType')}::"EntityType"[], ${col('queue')}::text[], ${col('jobId')}::text[], ${col('datasheetId')}::text[],
      ${col('recordId')}::text[], ${col('attempt')}::int[], ${col('outcome')}::"SyncEventOutcome"[], ${col('result')}::text[],
      ${col('errorCode')}::text[])
    ON CONFLICT ("id") DO NOTHING`;
}
