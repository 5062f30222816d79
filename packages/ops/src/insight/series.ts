import { classifyDbError, type PrismaClient } from '@bridge/db';
import { percentileSeconds } from './histogram';
import { singleFlight } from './single-flight';
import { rollupWidth, toChart, type InsightRange, type SeriesChart, type SeriesUnit } from './range';

type Row = { bucket: Date; name: string; value: number | null; unit?: SeriesUnit };

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

async function query<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw classifyDbError(err);
  }
}

const interval = (r: InsightRange) => `${r.bucketSeconds} seconds`;

/** One summed rollup row: history rows of one kind in one chart interval. */
interface RollupRow {
  bucket: Date;
  entity: string;
  queue: string;
  outcome: 'success' | 'retry' | 'failed';
  result: string;
  code: string;
  manual: boolean;
  lat: number;
  n: number;
}

// Concurrent reads of the same period share one query (per database): the page's charts all start from it.
const reading = new WeakMap<PrismaClient, ReturnType<typeof singleFlight>>();

/** The period's history rows from the rollups, summed per chart interval and kind: a few thousand rows for any range. */
function rollups(db: PrismaClient, r: InsightRange): Promise<RollupRow[]> {
  const once = reading.get(db) ?? singleFlight();
  reading.set(db, once);
  return once(`${r.name}|${r.since.getTime()}`, () => readRollups(db, r));
}

async function readRollups(db: PrismaClient, r: InsightRange): Promise<RollupRow[]> {
  const rows = await query(
    db.$queryRaw<(Omit<RollupRow, 'n'> & { n: bigint })[]>`
    SELECT date_bin(${interval(r)}::interval, "bucket", ${r.since}::timestamptz) AS bucket, "entityType"::text AS entity, "queue",
      "outcome"::text AS outcome, "result", "errorCode" AS code, "manual", "latencyBucket" AS lat, sum("n")::bigint AS n
    FROM "SyncEventRollup" WHERE "bucketSeconds" = ${rollupWidth(r)} AND "bucket" >= ${r.since} AND "bucket" < ${r.until}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
  );
  return rows.map((x) => ({ ...x, n: Number(x.n) }));
}

/** Sums `n` per (interval, name) over the rows `nameOf` names (undefined: not counted). */
function countBy(rows: readonly RollupRow[], nameOf: (x: RollupRow) => string | undefined): Row[] {
  const sums = new Map<string, Row>();
  for (const x of rows) {
    const name = nameOf(x);
    if (name === undefined) continue;
    const k = `${x.bucket.getTime()}|${name}`;
    const cur = sums.get(k) ?? { bucket: x.bucket, name, value: 0, unit: 'count' };
    cur.value = (cur.value ?? 0) + x.n;
    sums.set(k, cur);
  }
  return [...sums.values()];
}

type DeliveryCount = { bucket: Date; outcome: string; reason: string | null; n: bigint };
const countingDeliveries = new WeakMap<PrismaClient, ReturnType<typeof singleFlight>>();

/** Deliveries per interval, outcome and reason from their rollup; the two delivery charts of one period share one query. */
function deliveryCounts(db: PrismaClient, r: InsightRange): Promise<DeliveryCount[]> {
  const once = countingDeliveries.get(db) ?? singleFlight();
  countingDeliveries.set(db, once);
  return once(`${r.name}|${r.since.getTime()}`, () =>
    query(db.$queryRaw<DeliveryCount[]>`
    SELECT date_bin(${interval(r)}::interval, "bucket", ${r.since}::timestamptz) AS bucket,
      "outcome"::text AS outcome, nullif("reason", '') AS reason, sum("n")::bigint AS n
    FROM "DeliveryRollup" WHERE "bucketSeconds" = ${rollupWidth(r)} AND "bucket" >= ${r.since} AND "bucket" < ${r.until}
    GROUP BY 1, 2, 3`),
  );
}

type InsightCountSum = { bucket: Date; metric: string; key: string; n: bigint };
const readingCounts = new WeakMap<PrismaClient, ReturnType<typeof singleFlight>>();

/** The period's insight counts (what no history row carries) per chart interval, metric and key; the charts of one period share one query. */
function insightCounts(db: PrismaClient, r: InsightRange): Promise<InsightCountSum[]> {
  const once = readingCounts.get(db) ?? singleFlight();
  readingCounts.set(db, once);
  return once(`${r.name}|${r.since.getTime()}`, () =>
    query(db.$queryRaw<InsightCountSum[]>`
    SELECT date_bin(${interval(r)}::interval, "bucket", ${r.since}::timestamptz) AS bucket, "metric", "key", sum("n")::bigint AS n
    FROM "InsightCount" WHERE "bucketSeconds" = ${rollupWidth(r)} AND "bucket" >= ${r.since} AND "bucket" < ${r.until}
    GROUP BY 1, 2, 3`),
  );
}

/** The counts of one metric per interval, each key a series named by `nameOf`. */
async function countsOf(db: PrismaClient, r: InsightRange, metric: string, nameOf: (key: string) => string): Promise<Row[]> {
  const rows = (await insightCounts(db, r)).filter((x) => x.metric === metric);
  return sumByName(rows.map((x) => ({ bucket: x.bucket, name: nameOf(x.key), value: Number(x.n), unit: 'count' })));
}

/** Webhook deliveries per interval: accepted, duplicate, and rejected by reason (`rejected: signature`). */
export async function deliveriesChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await deliveryCounts(db, r);
  const nameOf = (x: (typeof rows)[number]) => (x.outcome === 'rejected' ? `rejected: ${x.reason ?? 'unknown'}` : x.outcome);
  const named: Row[] = rows.map((x) => ({ bucket: x.bucket, name: nameOf(x), value: Number(x.n), unit: 'count' }));
  return toChart(r, sumByName(named), ['accepted', 'duplicate']);
}

/** Share of deliveries answered 2xx (accepted or duplicate) per interval, with the counts it is made of; null where none arrived. */
export async function webhookSuccessChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await deliveryCounts(db, r);
  const totals = new Map<number, { ok: number; all: number }>();
  for (const x of rows) {
    const t = totals.get(x.bucket.getTime()) ?? { ok: 0, all: 0 };
    t.all += Number(x.n);
    if (x.outcome !== 'rejected') t.ok += Number(x.n);
    totals.set(x.bucket.getTime(), t);
  }
  const out = [...totals].flatMap(([t, v]): Row[] => [
    { bucket: new Date(t), name: 'webhook success rate', value: ratio(v.ok, v.all), unit: 'ratio' },
    { bucket: new Date(t), name: 'deliveries', value: v.all, unit: 'count' },
    { bucket: new Date(t), name: 'answered 2xx', value: v.ok, unit: 'count' },
  ]);
  return toChart(r, out, ['webhook success rate', 'deliveries', 'answered 2xx']);
}

/**
 * Outcomes per lead, not per attempt: each lead counts once, in the interval its job first ended
 * (portal synced or failed for good), and as a success when it has a portal now - so a lead that
 * failed and was replayed successfully counts as a success.
 */
export async function portalSuccessChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  // From the funnel rollup: `ended` and `ended_with_portal` per interval the leads' jobs first ended in.
  const rows = await query(db.$queryRaw<{ bucket: Date; ended: bigint; ok: bigint }[]>`
    SELECT date_bin(${interval(r)}::interval, "bucket", ${r.since}::timestamptz) AS bucket,
      sum("n") FILTER (WHERE "stage" = 'ended')::bigint AS ended, sum("n") FILTER (WHERE "stage" = 'ended_with_portal')::bigint AS ok
    FROM "LeadFunnelRollup" WHERE "bucketSeconds" = ${rollupWidth(r)} AND "bucket" >= ${r.since} AND "bucket" < ${r.until}
      AND "stage" IN ('ended', 'ended_with_portal')
    GROUP BY 1 HAVING sum("n") FILTER (WHERE "stage" = 'ended') > 0`);
  const out = rows.flatMap((x): Row[] => [
    { bucket: x.bucket, name: 'portal creation success rate', value: ratio(Number(x.ok ?? 0), Number(x.ended)), unit: 'ratio' },
    { bucket: x.bucket, name: 'leads ended', value: Number(x.ended), unit: 'count' },
    { bucket: x.bucket, name: 'leads with a portal', value: Number(x.ok ?? 0), unit: 'count' },
  ]);
  return toChart(r, out, ['portal creation success rate', 'leads ended', 'leads with a portal']);
}

/** What the latency chart counts: attempts of jobs an operator replayed wait for a person, so they are left out unless asked for. */
export interface LatencyOptions {
  includeManual?: boolean;
}

/**
 * Seconds from webhook received to sync success, p50 and p95 per entity and interval, from the
 * rollups' histograms, and how many successes they are taken over.
 */
export async function latencyChart(db: PrismaClient, r: InsightRange, opts: LatencyOptions = {}): Promise<SeriesChart> {
  const hist = new Map<string, { bucket: Date; entity: string; counts: Map<number, number> }>();
  for (const x of await rollups(db, r)) {
    if (x.outcome !== 'success' || (x.manual && !opts.includeManual)) continue;
    const k = `${x.bucket.getTime()}|${x.entity}`;
    const h = hist.get(k) ?? { bucket: x.bucket, entity: x.entity, counts: new Map<number, number>() };
    h.counts.set(x.lat, (h.counts.get(x.lat) ?? 0) + x.n);
    hist.set(k, h);
  }
  return toChart(
    r,
    [...hist.values()].flatMap((h): Row[] => [
      { bucket: h.bucket, name: `${h.entity} p50`, value: percentileSeconds(h.counts, 0.5), unit: 'seconds' },
      { bucket: h.bucket, name: `${h.entity} p95`, value: percentileSeconds(h.counts, 0.95), unit: 'seconds' },
      { bucket: h.bucket, name: `${h.entity} successes`, value: [...h.counts.values()].reduce((a, b) => a + b, 0), unit: 'count' },
    ]),
  );
}

/** Failed attempts per interval by error code (retried or final). */
export async function errorsChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  return toChart(
    r,
    countBy(await rollups(db, r), (x) => (x.outcome === 'success' ? undefined : x.code || 'unknown')),
  );
}

/** Jobs that ended successfully per interval, by queue. */
export async function completedChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  return toChart(
    r,
    countBy(await rollups(db, r), (x) => (x.outcome === 'success' ? x.queue : undefined)),
  );
}

/**
 * Attempts that failed on MissionX or AITable per interval, MissionX's share of the attempts of
 * the jobs that call it (leads and orders), and AITable's 429s. A 429 delays a call without ending
 * an attempt (the client retries it), so 429s come from the counts the workers keep, not the history.
 */
export async function upstreamChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const [rows, answers] = await Promise.all([rollups(db, r), countsOf(db, r, 'aitable_answer', (code) => code)]);
  const throttled = answers.filter((a) => a.name === '429').map((a) => ({ ...a, name: 'AITable 429s' }));
  const counts = countBy(rows, (x) =>
    x.code.startsWith('missionx_') ? 'MissionX errors' : x.code.startsWith('aitable_') ? 'AITable errors' : undefined,
  );
  const attempts = new Map(
    countBy(rows, (x) => (x.entity === 'lead' || x.entity === 'order' ? 'attempts' : undefined)).map((a) => [
      a.bucket.getTime(),
      a.value ?? 0,
    ]),
  );
  const rates: Row[] = counts
    .filter((c) => c.name === 'MissionX errors')
    .map((c) => ({
      bucket: c.bucket,
      name: 'MissionX error rate',
      value: ratio(c.value ?? 0, attempts.get(c.bucket.getTime()) ?? 0),
      unit: 'ratio',
    }));
  return toChart(r, [...counts, ...rates, ...throttled], ['MissionX error rate', 'MissionX errors', 'AITable errors', 'AITable 429s']);
}

/** AITable's error answers per interval by its code (`code 429`), those the client retried by itself included. */
export async function aitableAnswersChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  return toChart(r, await countsOf(db, r, 'aitable_answer', (code) => `code ${code}`), ['code 429']);
}

/**
 * Records a scheduled reconcile run found modified that no webhook or sync had brought, per interval
 * and datasheet (leads, orders): the lost-webhook signal.
 */
export async function reconcileMissingChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  return toChart(r, await countsOf(db, r, 'reconcile_missing', (target) => target), ['leads', 'orders']);
}

/**
 * Sync conflicts per interval by field and outcome (`Portal Status: held`), counted in the interval
 * they were detected, under the outcome they have now (a held one an operator settled counts as
 * resolved). An index range over detectedAt: conflicts are rare next to the history rows.
 */
export async function conflictsChart(db: PrismaClient, r: InsightRange): Promise<SeriesChart> {
  const rows = await query(db.$queryRaw<{ bucket: Date; field: string; outcome: string; n: bigint }[]>`
    SELECT date_bin(${interval(r)}::interval, "detectedAt", ${r.since}::timestamptz) AS bucket, "field", "outcome", count(*) AS n
    FROM "SyncConflict" WHERE "detectedAt" >= ${r.since} AND "detectedAt" < ${r.until}
    GROUP BY 1, 2, 3`);
  return toChart(
    r,
    rows.map((x) => ({ bucket: x.bucket, name: `${x.field}: ${x.outcome}`, value: Number(x.n), unit: 'count' })),
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
  const byKey = new Map<string, ErrorCodeCount>();
  for (const x of await rollups(db, r)) {
    if (x.outcome === 'success') continue;
    const code = x.code || 'unknown';
    const k = `${code}|${x.queue}`;
    const c = byKey.get(k) ?? { code, queue: x.queue, attempts: 0, finalFailures: 0 };
    c.attempts += x.n;
    if (x.outcome === 'failed') c.finalFailures += x.n;
    byKey.set(k, c);
  }
  return [...byKey.values()]
    .sort((a, b) => b.attempts - a.attempts || a.code.localeCompare(b.code) || a.queue.localeCompare(b.queue))
    .slice(0, limit);
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
