import { classifyDbError, type PrismaClient } from '@bridge/db';
import type { InsightRange } from './range';

/** One stage of the funnel; `conversion` is its share of the stage before (null for the first, or when that is 0). */
export interface FunnelStage {
  stage: 'leads' | 'portal_created' | 'order_won' | 'audit_delivered';
  count: number;
  conversion: number | null;
  /** Median seconds from the stage before to this one, over the leads that reached both. */
  medianSecondsFromPrevious: number | null;
}

export interface Funnel {
  range: string;
  since: string;
  until: string;
  stages: FunnelStage[];
}

interface FunnelRow {
  leads: bigint;
  portals: bigint;
  orders: bigint;
  audits: bigint;
  lead_to_portal: number | null;
  portal_to_order: number | null;
  order_to_audit: number | null;
}

/**
 * The leads first received in the period, and how far each got: its portal created (a lead job
 * that synced), an order of it won or active (an order job that activated the portal), an audit
 * result of such an order written to AITable. Orders are tied to their lead, and audit results to
 * their order, through the links the workers keep on the AITableSync rows.
 */
export async function funnel(db: PrismaClient, r: InsightRange): Promise<Funnel> {
  let row: FunnelRow | undefined;
  try {
    [row] = await db.$queryRaw<FunnelRow[]>`
      WITH leads AS (
        SELECT "recordId" AS lead, min("receivedAt") AS at FROM "SyncEvent"
        WHERE "entityType" = 'lead' AND "recordId" IS NOT NULL GROUP BY 1
        HAVING min("receivedAt") >= ${r.since} AND min("receivedAt") < ${r.until}),
      portals AS (
        SELECT e."recordId" AS lead, min(e."finishedAt") AS at FROM "SyncEvent" e JOIN leads l ON l.lead = e."recordId"
        WHERE e."entityType" = 'lead' AND e."outcome" = 'success' AND e."result" = 'synced' GROUP BY 1),
      orders AS (
        SELECT s."metadata"->>'leadRecordId' AS lead, e."recordId" AS ord, min(e."finishedAt") AS at
        FROM "SyncEvent" e JOIN "AITableSync" s ON s."entityType" = 'order' AND s."recordId" = e."recordId"
        WHERE e."entityType" = 'order' AND e."outcome" = 'success' AND e."result" = 'activated'
          AND s."metadata"->>'leadRecordId' IN (SELECT lead FROM leads) GROUP BY 1, 2),
      won AS (SELECT lead, min(at) AS at FROM orders GROUP BY 1),
      audits AS (
        SELECT o.lead, min(e."finishedAt") AS at
        FROM "SyncEvent" e JOIN "AITableSync" s ON s."entityType" = 'audit_result' AND s."recordId" = e."recordId"
        JOIN orders o ON o.ord = s."metadata"->>'orderRecordId'
        WHERE e."entityType" = 'audit_result' AND e."outcome" = 'success' AND e."result" IN ('created', 'updated') GROUP BY 1)
      SELECT (SELECT count(*) FROM leads) AS leads, (SELECT count(*) FROM portals) AS portals,
        (SELECT count(*) FROM won) AS orders, (SELECT count(*) FROM audits) AS audits,
        (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, EXTRACT(EPOCH FROM p.at - l.at)))
          FROM portals p JOIN leads l USING (lead)) AS lead_to_portal,
        (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, EXTRACT(EPOCH FROM w.at - p.at)))
          FROM won w JOIN portals p USING (lead)) AS portal_to_order,
        (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, EXTRACT(EPOCH FROM a.at - w.at)))
          FROM audits a JOIN won w USING (lead)) AS order_to_audit`;
  } catch (err) {
    throw classifyDbError(err);
  }
  const counts = [row?.leads, row?.portals, row?.orders, row?.audits].map((n) => Number(n ?? 0));
  const medians = [null, row?.lead_to_portal, row?.portal_to_order, row?.order_to_audit].map((v) =>
    v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000,
  );
  const names = ['leads', 'portal_created', 'order_won', 'audit_delivered'] as const;
  return {
    range: r.name,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    stages: names.map((stage, i) => {
      const before = i === 0 ? 0 : counts[i - 1]!;
      const conversion = i === 0 || before === 0 ? null : Math.round((counts[i]! / before) * 10_000) / 10_000;
      return { stage, count: counts[i]!, conversion, medianSecondsFromPrevious: medians[i] ?? null };
    }),
  };
}
