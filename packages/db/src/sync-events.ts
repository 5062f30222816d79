import { createBatchWriter, type BatchWriter, type BatchWriterOptions } from './batch-writer';
import { Prisma, type EntityType, type PrismaClient, type SyncEventOutcome } from './client';

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
  /** An attempt of a job an operator replayed. @defaultValue false */
  manual?: boolean;
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
 * The widths of the pre-aggregated intervals, each a divisor of the chart intervals it serves:
 * 5 min for the 1 h view, 1 h for 24 h, 6 h for 7 d and 30 d (120 intervals a month, whatever the traffic).
 */
export const ROLLUP_BUCKET_SECONDS = [300, 3600, 21600] as const;
const WIDTHS = Prisma.join(ROLLUP_BUCKET_SECONDS.map((s) => Prisma.sql`(${s}::int)`));

// The aggregation of history rows into "SyncEventRollup" and "LeadFunnel", over a set of rows named
// by `source` (the rows a batch just inserted, or the whole table for a rebuild). Keys are grouped
// first (ON CONFLICT may touch a row once per statement) and sorted, so concurrent batches lock
// the rows they share in the same order and cannot deadlock each other.
const rollupRows = (source: Prisma.Sql) => Prisma.sql`
  SELECT w.s, to_timestamp(floor(extract(epoch FROM e."finishedAt") / w.s) * w.s), e."entityType", e."queue", e."outcome",
    coalesce(e."result", ''), coalesce(e."errorCode", ''), e."manual",
    CASE WHEN e."outcome" = 'success' THEN "insight_latency_bucket"(extract(epoch FROM e."finishedAt" - e."receivedAt") * 1000) ELSE -1 END,
    count(*)
  FROM ${source} e CROSS JOIN (VALUES ${WIDTHS}) AS w(s)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;

// Orders reach their lead, and audit results their order, through the links the workers keep on the
// AITableSync rows, written by the job before its history row.
const funnelRows = (source: Prisma.Sql) => Prisma.sql`
  SELECT lead, min(received), min(portal), min(failed), least(min(portal), min(failed)), min(ord), min(audit) FROM (
    SELECT e."recordId" AS lead, e."receivedAt" AS received,
      CASE WHEN e."outcome" = 'success' AND e."result" = 'synced' THEN e."finishedAt" END AS portal,
      CASE WHEN e."outcome" = 'failed' THEN e."finishedAt" END AS failed, NULL::timestamptz AS ord, NULL::timestamptz AS audit
    FROM ${source} e WHERE e."entityType" = 'lead' AND e."recordId" IS NOT NULL
    UNION ALL
    SELECT s."metadata"->>'leadRecordId', NULL, NULL, NULL, e."finishedAt", NULL
    FROM ${source} e JOIN "AITableSync" s ON s."entityType" = 'order' AND s."recordId" = e."recordId"
    WHERE e."entityType" = 'order' AND e."outcome" = 'success' AND e."result" = 'activated' AND s."metadata"->>'leadRecordId' IS NOT NULL
    UNION ALL
    SELECT o."metadata"->>'leadRecordId', NULL, NULL, NULL, NULL, e."finishedAt"
    FROM ${source} e JOIN "AITableSync" a ON a."entityType" = 'audit_result' AND a."recordId" = e."recordId"
      JOIN "AITableSync" o ON o."entityType" = 'order' AND o."recordId" = a."metadata"->>'orderRecordId'
    WHERE e."entityType" = 'audit_result' AND e."outcome" = 'success' AND e."result" IN ('created', 'updated')
      AND o."metadata"->>'leadRecordId' IS NOT NULL
  ) x GROUP BY lead ORDER BY lead`;

const ROLLUP_COLUMNS = Prisma.sql`("bucketSeconds", "bucket", "entityType", "queue", "outcome", "result", "errorCode", "manual", "latencyBucket", "n")`;
const FUNNEL_COLUMNS = Prisma.sql`("leadRecordId", "receivedAt", "portalAt", "failedAt", "endedAt", "orderAt", "auditAt")`;

/**
 * One statement inserts many history rows (through `unnest`, see insertRows of the delivery rows
 * for why) and adds exactly those it inserted to the rollups: a retry after a lost answer finds its
 * rows present (ON CONFLICT DO NOTHING returns none of them) and so counts nothing twice, and a
 * crash leaves either all of it or none. Counts add up; funnel times keep the earliest (least()
 * ignores NULL), so the order batches arrive in does not matter.
 */
export async function insertSyncEvents(db: PrismaClient, rows: readonly SyncEventRow[]): Promise<void> {
  const col = <K extends keyof SyncEventRow>(k: K) => rows.map((r) => r[k] ?? null);
  await db.$executeRaw`
    WITH ins AS (
      INSERT INTO "SyncEvent" ("id", "receivedAt", "finishedAt", "entityType", "queue", "jobId", "datasheetId", "recordId",
        "attempt", "outcome", "result", "errorCode", "manual")
      SELECT * FROM unnest(${col('id')}::uuid[], ${col('receivedAt')}::timestamptz[], ${col('finishedAt')}::timestamptz[],
        ${col('entityType')}::"EntityType"[], ${col('queue')}::text[], ${col('jobId')}::text[], ${col('datasheetId')}::text[],
        ${col('recordId')}::text[], ${col('attempt')}::int[], ${col('outcome')}::"SyncEventOutcome"[], ${col('result')}::text[],
        ${col('errorCode')}::text[], ${rows.map((r) => r.manual === true)}::boolean[])
      ON CONFLICT ("id") DO NOTHING
      RETURNING *),
    rollup AS (
      INSERT INTO "SyncEventRollup" ${ROLLUP_COLUMNS} ${rollupRows(Prisma.sql`ins`)}
      ON CONFLICT ("bucketSeconds", "bucket", "entityType", "queue", "outcome", "result", "errorCode", "manual", "latencyBucket")
      DO UPDATE SET "n" = "SyncEventRollup"."n" + excluded."n")
    INSERT INTO "LeadFunnel" ${FUNNEL_COLUMNS} ${funnelRows(Prisma.sql`ins`)}
    ON CONFLICT ("leadRecordId") DO UPDATE SET
      "receivedAt" = least("LeadFunnel"."receivedAt", excluded."receivedAt"),
      "portalAt" = least("LeadFunnel"."portalAt", excluded."portalAt"),
      "failedAt" = least("LeadFunnel"."failedAt", excluded."failedAt"),
      "endedAt" = least("LeadFunnel"."endedAt", excluded."endedAt"),
      "orderAt" = least("LeadFunnel"."orderAt", excluded."orderAt"),
      "auditAt" = least("LeadFunnel"."auditAt", excluded."auditAt")`;
}

/**
 * Recomputes the rollups from the history rows kept (one transaction): after restoring
 * "SyncEvent" from a backup, and in tests as the from-scratch answer the incremental one must equal.
 * The deliveries' rollup is recounted from "WebhookDelivery", the funnel's by the trigger that counts
 * the funnel rows as they are inserted again (migration 20261203200000).
 * `timeoutMs` bounds the transaction (a million rows take minutes on a busy 2-core machine). @defaultValue 60000
 */
export async function rebuildInsightRollups(db: PrismaClient, opts: { timeoutMs?: number } = {}): Promise<void> {
  const all = Prisma.sql`"SyncEvent"`;
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`DELETE FROM "SyncEventRollup"`;
      await tx.$executeRaw`DELETE FROM "LeadFunnel"`;
      await tx.$executeRaw`DELETE FROM "LeadFunnelRollup"`;
      await tx.$executeRaw`SELECT "insight_rebuild_delivery_rollup"()`;
      await tx.$executeRaw`INSERT INTO "SyncEventRollup" ${ROLLUP_COLUMNS} ${rollupRows(all)}`;
      await tx.$executeRaw`INSERT INTO "LeadFunnel" ${FUNNEL_COLUMNS} ${funnelRows(all)}`;
    },
    { timeout: opts.timeoutMs ?? 60_000, maxWait: 10_000 },
  );
}
