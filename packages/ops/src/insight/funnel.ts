import { classifyDbError, Prisma, type PrismaClient } from '@bridge/db';
import { medianSeconds } from './histogram';
import { rollupWidth, type InsightRange } from './range';

export const FUNNEL_STAGES = ['leads', 'portal_created', 'order_won', 'audit_delivered'] as const;
export type FunnelStageName = (typeof FUNNEL_STAGES)[number];

/** One stage of the funnel; `conversion` is its share of the stage before (null for the first, or when that is 0). */
export interface FunnelStage {
  stage: FunnelStageName;
  count: number;
  conversion: number | null;
  /**
   * Median seconds from the stage before to this one, over the leads that reached both: the middle of
   * its log-scale histogram bucket, so within ~19% of the exact median (histogram.ts).
   */
  medianSecondsFromPrevious: number | null;
}

export interface Funnel {
  range: string;
  since: string;
  until: string;
  stages: FunnelStage[];
}

/**
 * The leads first received in the period, and how far each got: its portal created (a lead job
 * that synced), an order of it won or active, an audit result of such an order written to AITable.
 * Read from "LeadFunnelRollup": per interval of receipt, stage and log-scale bucket of the time from
 * the stage before, kept by triggers on the per-lead rows (migration 20261203200000), so the work is
 * a few hundred rows for any range, whatever the number of leads.
 */
export async function funnel(db: PrismaClient, r: InsightRange): Promise<Funnel> {
  let rows: { stage: string; lat: number; n: bigint }[];
  try {
    rows = await db.$queryRaw`
      SELECT "stage", "latencyBucket" AS lat, sum("n")::bigint AS n FROM "LeadFunnelRollup"
      WHERE "bucketSeconds" = ${rollupWidth(r)} AND "bucket" >= ${r.since} AND "bucket" < ${r.until}
        AND "stage" IN (${Prisma.join([...FUNNEL_STAGES])})
      GROUP BY 1, 2`;
  } catch (err) {
    throw classifyDbError(err);
  }
  const counts = FUNNEL_STAGES.map((stage) => rows.filter((x) => x.stage === stage).reduce((a, x) => a + Number(x.n), 0));
  // Bucket -1: the stage before has no time (an order without a recorded portal), so no duration.
  const histogram = (stage: FunnelStageName) =>
    new Map(rows.filter((x) => x.stage === stage && x.lat >= 0 && x.n > 0n).map((x) => [x.lat, Number(x.n)]));
  return {
    range: r.name,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    stages: FUNNEL_STAGES.map((stage, i) => {
      const before = i === 0 ? 0 : counts[i - 1]!;
      const conversion = i === 0 || before === 0 ? null : Math.round((counts[i]! / before) * 10_000) / 10_000;
      const medianSecondsFromPrevious = i === 0 ? null : medianSeconds(histogram(stage));
      return { stage, count: counts[i]!, conversion, medianSecondsFromPrevious };
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
