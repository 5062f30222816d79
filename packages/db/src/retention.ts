import { classifyDbError } from './errors';
import { Prisma, type PrismaClient } from './generated/prisma/client';

/** How long rows are kept, in days. */
export interface RetentionPolicy {
  /** SyncEvent history rows, by when the attempt ended. */
  historyDays: number;
  /** Accepted and duplicate deliveries, and rejected ones already replayed or with no body to fix. */
  deliveryDays: number;
  /** Rejected deliveries still waiting for a fix (body kept, not replayed). */
  rejectedDays: number;
  /** The 6-hour insight rollups of the 7 d and 30 d views (the narrower ones serve the 1 h and 24 h views and are kept 2 days). */
  rollupDays: number;
  /** Settled sync conflicts (restored, adopted, resolved by an operator), by when detected and resolved; held ones are kept until resolved. */
  conflictDays: number;
}

export interface PruneResult {
  syncEvents: number;
  deliveries: number;
  rejectedDeliveries: number;
  /** Rollup rows, insight counts and per-lead funnel rows. */
  rollups: number;
  conflicts: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes rows older than the policy, `batchSize` rows per statement, so no statement holds
 * many locks or a long transaction while ingest and the workers keep writing.
 */
export async function pruneExpiredRows(
  db: PrismaClient,
  policy: RetentionPolicy,
  opts: { batchSize: number; now?: Date },
): Promise<PruneResult> {
  const now = (opts.now ?? new Date()).getTime();
  const cutoff = (days: number) => new Date(now - days * DAY_MS);
  const n = opts.batchSize;
  const history = cutoff(policy.historyDays);
  const delivery = cutoff(policy.deliveryDays);
  const rejected = cutoff(policy.rejectedDays);
  const wide = cutoff(policy.rollupDays);
  const narrow = cutoff(2);
  const conflict = cutoff(policy.conflictDays);
  try {
    return {
      syncEvents: await inBatches(
        n,
        () => db.$executeRaw`
        DELETE FROM "SyncEvent" WHERE "id" IN (SELECT "id" FROM "SyncEvent" WHERE "finishedAt" < ${history} LIMIT ${n})`,
      ),
      deliveries: await inBatches(
        n,
        () => db.$executeRaw`
        DELETE FROM "WebhookDelivery" WHERE "id" IN (SELECT "id" FROM "WebhookDelivery" WHERE "receivedAt" < ${delivery}
          AND NOT ("outcome" = 'rejected' AND "rawBody" IS NOT NULL AND "replayedAt" IS NULL) LIMIT ${n})`,
      ),
      rejectedDeliveries: await inBatches(
        n,
        () => db.$executeRaw`
        DELETE FROM "WebhookDelivery" WHERE "id" IN (SELECT "id" FROM "WebhookDelivery" WHERE "receivedAt" < ${rejected}
          AND "outcome" = 'rejected' AND "rawBody" IS NOT NULL AND "replayedAt" IS NULL LIMIT ${n})`,
      ),
      rollups:
        (await pruneRollups(db, n, narrow, wide)) +
        // A lead leaves the funnel with its history: the funnel is built from the history kept.
        (await inBatches(
          n,
          () => db.$executeRaw`
        DELETE FROM "LeadFunnel" WHERE "leadRecordId" IN (SELECT "leadRecordId" FROM "LeadFunnel"
          WHERE coalesce("receivedAt", "portalAt", "failedAt", "orderAt", "auditAt") < ${history} LIMIT ${n})`,
        )),
      // A held conflict waits for an operator however old it is; a resolved one counts from its resolution
      // (never before its detection, so the detectedAt index bounds the scan).
      conflicts: await inBatches(
        n,
        () => db.$executeRaw`
        DELETE FROM "SyncConflict" WHERE "id" IN (SELECT "id" FROM "SyncConflict" WHERE "detectedAt" < ${conflict}
          AND "outcome" <> 'held' AND ("resolvedAt" IS NULL OR "resolvedAt" < ${conflict}) LIMIT ${n})`,
      ),
    };
  } catch (err) {
    throw classifyDbError(err);
  }
}

/** The tables of counts per interval: the narrow intervals until `narrow`, the 6-hour ones until `wide`. */
const ROLLUP_TABLES = ['SyncEventRollup', 'InsightCount', 'DeliveryRollup', 'LeadFunnelRollup'] as const;

async function pruneRollups(db: PrismaClient, n: number, narrow: Date, wide: Date): Promise<number> {
  let total = 0;
  for (const name of ROLLUP_TABLES) {
    const table = Prisma.raw(`"${name}"`);
    total += await inBatches(
      n,
      () => db.$executeRaw`
        DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table}
          WHERE ("bucketSeconds" < 21600 AND "bucket" < ${narrow}) OR "bucket" < ${wide} LIMIT ${n})`,
    );
  }
  return total;
}

async function inBatches(batchSize: number, deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/** Rows and bytes on disk (table, indexes and TOAST) of the tables that grow with traffic. */
export interface TableSize {
  table: string;
  rows: number;
  bytes: number;
}

export async function tableSizes(db: PrismaClient): Promise<TableSize[]> {
  try {
    const rows = await db.$queryRaw<{ table: string; rows: bigint; bytes: bigint }[]>`
      SELECT 'AITableSync' AS "table", (SELECT count(*) FROM "AITableSync") AS "rows", pg_total_relation_size('"AITableSync"') AS "bytes"
      UNION ALL SELECT 'SyncEvent', (SELECT count(*) FROM "SyncEvent"), pg_total_relation_size('"SyncEvent"')
      UNION ALL SELECT 'WebhookDelivery', (SELECT count(*) FROM "WebhookDelivery"), pg_total_relation_size('"WebhookDelivery"')
      UNION ALL SELECT 'SyncConflict', (SELECT count(*) FROM "SyncConflict"), pg_total_relation_size('"SyncConflict"')`;
    return rows.map((r) => ({ table: r.table, rows: Number(r.rows), bytes: Number(r.bytes) }));
  } catch (err) {
    throw classifyDbError(err);
  }
}
