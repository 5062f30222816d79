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

/** Takes history rows without waiting (a batch writer in production). */
export interface SyncEventSink {
  record(row: SyncEventRow): void;
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
