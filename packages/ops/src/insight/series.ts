import { classifyDbError, type PrismaClient } from '@bridge/db';
import { toChart, type InsightRange, type SeriesChart } from './range';

type Row = { bucket: Date; name: string; value: number | null };

// Counts come back as bigint and percentiles as double; a chart wants plain numbers.
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

async function query<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw classifyDbError(err);
  }
}

const interval = (r: InsightRange) => `${r.bucketSeconds} seconds`;

async function deliveryCounts(db: PrismaClient, r: InsightRange) {
  return query(db.$queryRaw<{ bucket: Date; outcome: string; reason: string | null; n: bigint }[]>`
    SELECT date_bin(${interval(r)}::interval, "receivedAt", ${r.since}::timestamptz) AS bucket,
      "outcome"::text AS outcome, "reason", count(*) AS n
    FROM "WebhookDelivery" WHERE "receivedAt" >= ${r.since} AND "receivedAt" < ${r.until}
    GROUP BY 1, 2, 3`);
}

/** Webhook deliveries per interval: accepted, duplicate, and rejected by reason (`rejected: signature`). */
export async function deliveriesChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await deliveryCounts(db, r);
  const nameOf = (x: (typeof rows)[number]) => (x.outcome === 'rejected' ? `rejected: ${x.reason ?? 'unknown'}` : x.outcome);
  const named: Row[] = rows.map((x) => ({ bucket: x.bucket, name: nameOf(x), value: Number(x.n) }));
  return toChart(r, sumByName(named), ['accepted', 'duplicate']);
}

/** Share of deliveries answered 2xx (accepted or duplicate) per interval; null where none arrived. */
export async function webhookSuccessChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await deliveryCounts(db, r);
  const totals = new Map<number, { ok: number; all: number }>();
  for (const x of rows) {
    const t = totals.get(x.bucket.getTime()) ?? { ok: 0, all: 0 };
    t.all += Number(x.n);
    if (x.outcome !== 'rejected') t.ok += Number(x.n);
    totals.set(x.bucket.getTime(), t);
  }
  const out = [...totals].map(([t, v]) => ({ bucket: new Date(t), name: 'webhook success rate', value: ratio(v.ok, v.all) }));
  return toChart(r, out, ['webhook success rate']);
}

/**
 * Share of lead jobs that ended creating or updating the portal, of those that ended at all
 * (synced or failed for good; retries still under way and skips are not counted).
 */
export async function portalSuccessChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await query(db.$queryRaw<{ bucket: Date; ok: bigint; failed: bigint }[]>`
    SELECT date_bin(${interval(r)}::interval, "finishedAt", ${r.since}::timestamptz) AS bucket,
      count(*) FILTER (WHERE "outcome" = 'success' AND "result" = 'synced') AS ok, count(*) FILTER (WHERE "outcome" = 'failed') AS failed
    FROM "SyncEvent" WHERE "entityType" = 'lead' AND "finishedAt" >= ${r.since} AND "finishedAt" < ${r.until}
    GROUP BY 1`);
  const name = 'portal creation success rate';
  const out = rows.map((x) => ({ bucket: x.bucket, name, value: ratio(Number(x.ok), Number(x.ok) + Number(x.failed)) }));
  return toChart(r, out, ['portal creation success rate']);
}

/** Seconds from webhook received to sync success, p50 and p95 per entity and interval. */
export async function latencyChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await query(db.$queryRaw<{ bucket: Date; entity: string; p50: number; p95: number }[]>`
    SELECT date_bin(${interval(r)}::interval, "finishedAt", ${r.since}::timestamptz) AS bucket, "entityType"::text AS entity,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "finishedAt" - "receivedAt")) AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "finishedAt" - "receivedAt")) AS p95
    FROM "SyncEvent" WHERE "outcome" = 'success' AND "finishedAt" >= ${r.since} AND "finishedAt" < ${r.until}
    GROUP BY 1, 2`);
  const round = (v: unknown) => (num(v) === null ? null : Math.round(num(v)! * 1000) / 1000);
  return toChart(
    r,
    rows.flatMap((x) => [
      { bucket: x.bucket, name: `${x.entity} p50`, value: round(x.p50) },
      { bucket: x.bucket, name: `${x.entity} p95`, value: round(x.p95) },
    ]),
  );
}

/** Failed attempts per interval by error code (retried or final). */
export async function errorsChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await query(db.$queryRaw<{ bucket: Date; code: string; n: bigint }[]>`
    SELECT date_bin(${interval(r)}::interval, "finishedAt", ${r.since}::timestamptz) AS bucket,
      coalesce("errorCode", 'unknown') AS code, count(*) AS n
    FROM "SyncEvent" WHERE "outcome" <> 'success' AND "finishedAt" >= ${r.since} AND "finishedAt" < ${r.until}
    GROUP BY 1, 2`);
  return toChart(
    r,
    rows.map((x) => ({ bucket: x.bucket, name: x.code, value: Number(x.n) })),
  );
}

/** One line of the ranked error list. */
export interface ErrorCodeCount {
  code: string;
  queue: string;
  attempts: number;
  /** Jobs this code ended for good. */
  finalFailures: number;
}

/** The most frequent error codes of the period, by queue, most attempts first. */
export async function topErrorCodes(db: PrismaClient, r: InsightRange, limit = 10): Promise<ErrorCodeCount[]> {
  const rows = await query(db.$queryRaw<{ code: string; queue: string; n: bigint; final: bigint }[]>`
    SELECT coalesce("errorCode", 'unknown') AS code, "queue", count(*) AS n, count(*) FILTER (WHERE "outcome" = 'failed') AS final
    FROM "SyncEvent" WHERE "outcome" <> 'success' AND "finishedAt" >= ${r.since} AND "finishedAt" < ${r.until}
    GROUP BY 1, 2 ORDER BY n DESC, code, "queue" LIMIT ${limit}`);
  return rows.map((x) => ({ code: x.code, queue: x.queue, attempts: Number(x.n), finalFailures: Number(x.final) }));
}

function sumByName(rows: Row[]): Row[] {
  const sums = new Map<string, Row>();
  for (const x of rows) {
    const k = `${x.bucket.getTime()}|${x.name}`;
    const cur = sums.get(k);
    sums.set(k, cur ? { ...cur, value: (cur.value ?? 0) + (x.value ?? 0) } : x);
  }
  return [...sums.values()];
}
