import { randomUUID } from 'node:crypto';
import { createBatchWriter, type BatchWriter, type BatchWriterOptions } from './batch-writer';
import { Prisma, type PrismaClient } from './client';
import { classifyDbError } from './errors';
import { ROLLUP_BUCKET_SECONDS } from './sync-events';

/**
 * What an `InsightCount` row counts: `aitable_answer` keyed by AITable's error code (429 included) of an
 * answer that was not a success, `reconcile_missing` keyed by the reconcile target (leads, orders).
 */
export type InsightCountMetric = 'aitable_answer' | 'reconcile_missing';

/** One occurrence (or `n`) of something the insight page counts. */
export interface InsightCountRow {
  id: string;
  at: Date;
  metric: InsightCountMetric;
  key: string;
  n: number;
}

/** Takes counts without waiting: what the AITable hook and the reconcile job call, on their hot path. */
export interface InsightCounter {
  add(metric: InsightCountMetric, key: string, n?: number): void;
}

export type InsightCountWriter = InsightCounter & Pick<BatchWriter<InsightCountRow>, 'flush' | 'close' | 'pending'>;
export type InsightCountWriterOptions = Omit<BatchWriterOptions<InsightCountRow>, 'table' | 'insert' | 'idOf'> & {
  now?: () => Date;
};

const WIDTHS = Prisma.join(ROLLUP_BUCKET_SECONDS.map((s) => Prisma.sql`(${s}::int)`));

/**
 * The batch writer of insight counts: off the caller's path, one statement per batch adding the batch's
 * sums to each interval width. A batch retried after its answer was lost may count twice: these are
 * figures for a chart, and a rare double count is cheaper than a ledger of every occurrence.
 * @defaultValue flushMs 1000 (a 429 storm becomes one statement a second)
 */
export function createInsightCountWriter(db: PrismaClient, opts: InsightCountWriterOptions = {}): InsightCountWriter {
  const now = opts.now ?? (() => new Date());
  const writer = createBatchWriter<InsightCountRow>({
    flushMs: 1000,
    ...opts,
    table: 'InsightCount',
    insert: (rows) => insertInsightCounts(db, rows),
    idOf: (row) => row.id,
  });
  return {
    add: (metric, key, n = 1) => writer.record({ id: randomUUID(), at: now(), metric, key, n }),
    flush: () => writer.flush(),
    close: () => writer.close(),
    get pending() {
      return writer.pending;
    },
  };
}

/** Adds the rows' counts to their intervals of every width; keys sorted, so concurrent writers lock in one order. */
export async function insertInsightCounts(db: PrismaClient, rows: readonly InsightCountRow[]): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "InsightCount" ("bucketSeconds", "bucket", "metric", "key", "n")
    SELECT w.s, to_timestamp(floor(extract(epoch FROM c.at) / w.s) * w.s), c.metric, c.key, sum(c.n)::bigint
    FROM unnest(${rows.map((r) => r.at)}::timestamptz[], ${rows.map((r) => r.metric)}::text[], ${rows.map((r) => r.key)}::text[],
      ${rows.map((r) => r.n)}::bigint[]) AS c(at, metric, key, n)
    CROSS JOIN (VALUES ${WIDTHS}) AS w(s)
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("bucketSeconds", "bucket", "metric", "key") DO UPDATE SET "n" = "InsightCount"."n" + excluded."n"`;
}

/**
 * The records of a datasheet, each at its AITable modification time, whose sync row the bridge has not
 * touched since and for which no webhook came since (both with `toleranceMs` for the clocks of AITable
 * and ours): what a reconcile run found that only it brought. The row's `updatedAt` moves with every
 * sync and after each write-back of ours (lead, order, MissionX poll), which moves the record's
 * modification time too but is no lost webhook.
 */
export async function unseenModifications(
  db: PrismaClient,
  datasheetId: string,
  records: readonly { recordId: string; updatedAt: number }[],
  toleranceMs: number,
): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = await db.$queryRaw<{ recordId: string }[]>`
    SELECT r.id AS "recordId" FROM unnest(${records.map((r) => r.recordId)}::text[],
      ${records.map((r) => new Date(r.updatedAt - toleranceMs))}::timestamptz[]) AS r(id, since)
    WHERE NOT EXISTS (SELECT 1 FROM "AITableSync" s WHERE s."datasheetId" = ${datasheetId} AND s."recordId" = r.id
        AND s."updatedAt" >= r.since)
      AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."datasheetId" = ${datasheetId} AND d."recordId" = r.id
        AND d."outcome" <> 'rejected' AND d."receivedAt" >= r.since)`.catch((err: unknown) => {
    throw classifyDbError(err);
  });
  return rows.map((r) => r.recordId);
}
