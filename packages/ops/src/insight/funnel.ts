import { classifyDbError, Prisma, type PrismaClient } from '@bridge/db';
import type { InsightRange } from './range';

export const FUNNEL_STAGES = ['leads', 'portal_created', 'order_won', 'audit_delivered'] as const;
export type FunnelStageName = (typeof FUNNEL_STAGES)[number];

/** One stage of the funnel; `conversion` is its share of the stage before (null for the first, or when that is 0). */
export interface FunnelStage {
  stage: FunnelStageName;
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

// Over the leads that reached both stages only (greatest() would turn a missing time into 0).
const median = (from: Prisma.Sql, to: Prisma.Sql) => Prisma.sql`
  percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, EXTRACT(EPOCH FROM ${to} - ${from})))
    FILTER (WHERE ${from} IS NOT NULL AND ${to} IS NOT NULL)`;

/**
 * The leads first received in the period, and how far each got: its portal created (a lead job
 * that synced), an order of it won or active, an audit result of such an order written to AITable.
 * The rows of "LeadFunnel" are read: one per lead that the history writer keeps (packages/db
 * sync-events.ts), so the work grows with the leads of the period, not with their attempts.
 */
export async function funnel(db: PrismaClient, r: InsightRange): Promise<Funnel> {
  let row: FunnelRow | undefined;
  try {
    [row] = await db.$queryRaw<FunnelRow[]>`
      SELECT count(*) AS leads, count("portalAt") AS portals, count("orderAt") AS orders, count("auditAt") AS audits,
        ${median(Prisma.sql`"receivedAt"`, Prisma.sql`"portalAt"`)} AS lead_to_portal,
        ${median(Prisma.sql`"portalAt"`, Prisma.sql`"orderAt"`)} AS portal_to_order,
        ${median(Prisma.sql`"orderAt"`, Prisma.sql`"auditAt"`)} AS order_to_audit
      FROM "LeadFunnel" WHERE "receivedAt" >= ${r.since} AND "receivedAt" < ${r.until}`;
  } catch (err) {
    throw classifyDbError(err);
  }
  const counts = [row?.leads, row?.portals, row?.orders, row?.audits].map((n) => Number(n ?? 0));
  const medians = [null, row?.lead_to_portal, row?.portal_to_order, row?.order_to_audit].map((v) =>
    v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000,
  );
  return {
    range: r.name,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    stages: FUNNEL_STAGES.map((stage, i) => {
      const before = i === 0 ? 0 : counts[i - 1]!;
      const conversion = i === 0 || before === 0 ? null : Math.round((counts[i]! / before) * 10_000) / 10_000;
      return { stage, count: counts[i]!, conversion, medianSecondsFromPrevious: medians[i] ?? null };
    }),
  };
}

/** A lead that reached the stage before `stage` but not `stage` itself. */
export interface StuckLead {
  recordId: string;
  receivedAt: string | null;
  /** When it reached the stage before (its receipt for portal_created). */
  since: string | null;
}

const AT_OF_STAGE = { leads: 'receivedAt', portal_created: 'portalAt', order_won: 'orderAt', audit_delivered: 'auditAt' } as const;

/**
 * The funnel's drop-off at `stage`: the period's leads that reached the stage before and not this
 * one, longest waiting first, at most `limit`; `total` counts them all.
 */
export async function stuckLeads(
  db: PrismaClient,
  r: InsightRange,
  stage: Exclude<FunnelStageName, 'leads'>,
  limit = 200,
): Promise<{ stage: string; total: number; leads: StuckLead[] }> {
  // Column names come from the constant above, never from the request.
  const prev = Prisma.raw(`"${AT_OF_STAGE[FUNNEL_STAGES[FUNNEL_STAGES.indexOf(stage) - 1]!]}"`);
  const cur = Prisma.raw(`"${AT_OF_STAGE[stage]}"`);
  const where = Prisma.sql`"receivedAt" >= ${r.since} AND "receivedAt" < ${r.until} AND ${prev} IS NOT NULL AND ${cur} IS NULL`;
  try {
    const [count] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "LeadFunnel" WHERE ${where}`;
    const rows = await db.$queryRaw<{ recordId: string; receivedAt: Date | null; since: Date | null }[]>`
      SELECT "leadRecordId" AS "recordId", "receivedAt", ${prev} AS since FROM "LeadFunnel" WHERE ${where}
      ORDER BY ${prev}, "leadRecordId" LIMIT ${Math.trunc(limit)}`;
    return {
      stage,
      total: Number(count?.n ?? 0),
      leads: rows.map((x) => ({
        recordId: x.recordId,
        receivedAt: x.receivedAt?.toISOString() ?? null,
        since: x.since?.toISOString() ?? null,
      })),
    };
  } catch (err) {
    throw classifyDbError(err);
  }
}
