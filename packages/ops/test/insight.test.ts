import { randomUUID } from 'node:crypto';
import { createDb, createInsightCountWriter, insertSyncEvents, type Prisma, type PrismaClient, type SyncEventRow } from '@bridge/db';
import { createTestDatabase, type TestDatabase } from '@bridge/testkit';
import {
  aitableAnswersChart,
  completedChart,
  conflictsChart,
  deliveriesChart,
  errorsChart,
  funnel,
  latencyChart,
  parseInsightRange,
  portalSuccessChart,
  reconcileMissingChart,
  topErrorCodes,
  upstreamChart,
  webhookSuccessChart,
} from '../src';

let tdb: TestDatabase;
let db: PrismaClient;
const now = new Date('2025-06-01T12:30:00Z');
const at = (hhmm: string) => new Date(`2025-06-01T${hhmm}:00Z`);
const range = parseInsightRange('24h', now);

const ev = (over: Partial<SyncEventRow> & Pick<SyncEventRow, 'recordId' | 'receivedAt' | 'finishedAt'>): SyncEventRow => ({
  id: randomUUID(),
  entityType: 'lead',
  queue: 'leads',
  jobId: randomUUID(),
  attempt: 1,
  outcome: 'success',
  result: 'synced',
  ...over,
});
const delivery = (over: Partial<Prisma.WebhookDeliveryCreateManyInput>): Prisma.WebhookDeliveryCreateManyInput => ({
  id: randomUUID(),
  requestId: 'r',
  source: 'aitable',
  outcome: 'accepted',
  httpStatus: 202,
  ...over,
});

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb({ databaseUrl: tdb.url, poolSize: 3 });
  await db.webhookDelivery.createMany({
    data: [
      delivery({ receivedAt: at('10:05') }),
      delivery({ receivedAt: at('10:10') }),
      delivery({ receivedAt: at('10:20'), outcome: 'duplicate', httpStatus: 200 }),
      delivery({ receivedAt: at('10:30'), outcome: 'rejected', httpStatus: 401, reason: 'signature' }),
      delivery({ receivedAt: at('11:15'), outcome: 'rejected', httpStatus: 422, reason: 'invalid_payload' }),
      delivery({ receivedAt: new Date('2025-05-30T10:00:00Z') }), // outside the 24 h
    ],
  });
  // The workers write a record's sync row before its history row: the funnel links orders and audits through it.
  const sync = (over: Partial<Prisma.AITableSyncCreateManyInput>): Prisma.AITableSyncCreateManyInput => ({
    recordId: 'x',
    datasheetId: 'dst',
    entityType: 'lead',
    syncDirection: 'aitable_to_app',
    syncStatus: 'success',
    ...over,
  });
  await db.aITableSync.createMany({
    data: [
      sync({ recordId: 'recOrdA', entityType: 'order', metadata: { leadRecordId: 'recA', action: 'activated' } }),
      sync({ recordId: 'audit-1', entityType: 'audit_result', syncDirection: 'app_to_aitable', metadata: { orderRecordId: 'recOrdA' } }),
    ],
  });
  // Three leads: A gets a portal after 10 s, an order won 1 h later and an audit 2 h after that;
  // B gets a portal after 30 s (after one retried attempt); C fails for good.
  await insertSyncEvents(db, [
    ev({ recordId: 'recA', receivedAt: at('10:00'), finishedAt: new Date(at('10:00').getTime() + 10_000) }),
    ev({
      recordId: 'recB',
      receivedAt: at('10:00'),
      finishedAt: new Date(at('10:00').getTime() + 5_000),
      outcome: 'retry',
      result: undefined,
      errorCode: 'missionx_unavailable',
    }),
    ev({ recordId: 'recB', receivedAt: at('10:00'), finishedAt: new Date(at('10:00').getTime() + 30_000), attempt: 2 }),
    ev({
      recordId: 'recC',
      receivedAt: at('10:40'),
      finishedAt: at('10:41'),
      outcome: 'failed',
      result: undefined,
      errorCode: 'lead_missing_field',
    }),
    ev({
      recordId: 'recOrdA',
      entityType: 'order',
      queue: 'orders',
      receivedAt: at('11:00'),
      finishedAt: new Date(at('11:00').getTime() + 10_000),
      result: 'activated',
    }),
    ev({
      recordId: 'audit-1',
      entityType: 'audit_result',
      queue: 'audit-results',
      receivedAt: at('12:00'),
      finishedAt: new Date(at('12:00').getTime() + 10_000),
      result: 'created',
    }),
  ]);
});
afterAll(async () => {
  await db.$disconnect();
  await tdb.drop();
});

const valuesAt = (chart: { buckets: string[]; series: { name: string; values: (number | null)[] }[] }, name: string, hour: string) =>
  chart.series.find((s) => s.name === name)?.values[chart.buckets.indexOf(`2025-06-01T${hour}:00:00.000Z`)];

describe('insight queries', () => {
  it('when a range is asked, then it is cut into aligned intervals ending after now, and an unknown range is a 400 naming the field', () => {
    expect(range.buckets).toHaveLength(24);
    expect(range.since.toISOString()).toBe('2025-05-31T13:00:00.000Z');
    expect(range.until.toISOString()).toBe('2025-06-01T13:00:00.000Z');
    expect(() => parseInsightRange('2y')).toThrow(expect.objectContaining({ httpStatus: 400, details: { field: 'range' } }));
  });

  it('when deliveries arrived, then they are counted per interval by outcome and rejection reason, and the success rate follows', async () => {
    const chart = await deliveriesChart(db, range);
    expect(chart.series.map((s) => s.name)).toEqual(['accepted', 'duplicate', 'rejected: invalid_payload', 'rejected: signature']);
    expect(['accepted', 'duplicate', 'rejected: signature'].map((n) => valuesAt(chart, n, '10'))).toEqual([2, 1, 1]);
    expect(valuesAt(chart, 'rejected: invalid_payload', '11')).toBe(1);
    const rate = await webhookSuccessChart(db, range);
    expect([
      valuesAt(rate, 'webhook success rate', '10'),
      valuesAt(rate, 'webhook success rate', '11'),
      valuesAt(rate, 'webhook success rate', '09'),
    ]).toEqual([0.75, 0, null]);
  });

  it('when lead jobs ended, then portal success counts leads (synced of synced-or-failed), and latency percentiles are per entity', async () => {
    const portal = await portalSuccessChart(db, range);
    expect(valuesAt(portal, 'portal creation success rate', '10')).toBeCloseTo(2 / 3, 4);
    expect([valuesAt(portal, 'leads ended', '10'), valuesAt(portal, 'leads with a portal', '10')]).toEqual([3, 2]);
    const latency = await latencyChart(db, range);
    // From the log-scale histogram: within 19% of the exact 10 s (p50 of 10 s and 30 s, by rank) and 30 s.
    const near = (v: number | null | undefined, exact: number) => Math.abs((v ?? 0) / exact - 1);
    expect(near(valuesAt(latency, 'lead p50', '10'), 10)).toBeLessThanOrEqual(0.19);
    expect(near(valuesAt(latency, 'lead p95', '10'), 30)).toBeLessThanOrEqual(0.19);
    expect(near(valuesAt(latency, 'order p50', '11'), 10)).toBeLessThanOrEqual(0.19);
    expect(valuesAt(latency, 'lead successes', '10')).toBe(2);
  });

  it('when attempts failed, then error codes are counted per interval and ranked with their final failures', async () => {
    const errors = await errorsChart(db, range);
    expect(valuesAt(errors, 'missionx_unavailable', '10')).toBe(1);
    // Of the four lead attempts at 10:00 one failed on MissionX; none on AITable.
    const upstream = await upstreamChart(db, range);
    expect(['MissionX errors', 'MissionX error rate', 'AITable errors'].map((n) => valuesAt(upstream, n, '10'))).toEqual([1, 0.25, null]);
    const completed = await completedChart(db, range);
    expect(['leads', 'orders', 'audit-results'].map((q) => [valuesAt(completed, q, '10'), valuesAt(completed, q, '11')])).toEqual([
      [2, null],
      [null, 1],
      [null, null],
    ]);
    expect(await topErrorCodes(db, range)).toEqual([
      { code: 'lead_missing_field', queue: 'leads', attempts: 1, finalFailures: 1 },
      { code: 'missionx_unavailable', queue: 'leads', attempts: 1, finalFailures: 0 },
    ]);
  });

  it('when the worker counted AITable answers and records reconcile found missing, then their charts sum them per interval of any range', async () => {
    let clock = at('10:02');
    const counts = createInsightCountWriter(db, { now: () => clock });
    counts.add('aitable_answer', '429');
    counts.add('aitable_answer', '429', 2);
    counts.add('aitable_answer', '400');
    await counts.flush();
    clock = at('11:40');
    counts.add('aitable_answer', '429');
    counts.add('reconcile_missing', 'leads', 3);
    await counts.close();
    expect(counts.pending).toBe(0);

    const upstream = await upstreamChart(db, range);
    expect(['10', '11'].map((h) => valuesAt(upstream, 'AITable 429s', h))).toEqual([3, 1]);
    expect(upstream.series.find((s) => s.name === 'AITable 429s')!.unit).toBe('count');
    const answers = await aitableAnswersChart(db, range);
    expect(answers.series.map((s) => [s.name, s.unit, valuesAt(answers, s.name, '10')])).toEqual([
      ['code 400', 'count', 1],
      ['code 429', 'count', 3],
    ]);
    const missing = await reconcileMissingChart(db, range);
    expect([valuesAt(missing, 'leads', '11'), valuesAt(missing, 'orders', '11')]).toEqual([3, null]);
    // The 1 h view reads the 5-minute counts: 11:40 is an interval of its own.
    const hour = parseInsightRange('1h', now);
    const inHour = await reconcileMissingChart(db, hour);
    expect(inHour.series.find((s) => s.name === 'leads')!.values[hour.buckets.findIndex((b) => +b === +at('11:40'))]).toBe(3);
    // And the 30-day view the 6-hour ones.
    const month = await aitableAnswersChart(db, parseInsightRange('30d', now));
    expect(month.series.find((s) => s.name === 'code 429')!.values.reduce<number>((a, v) => a + (v ?? 0), 0)).toBe(4);
  });

  it('when conflicts were detected, then they are counted per interval by field and outcome, those outside the period left out', async () => {
    const conflict = (detectedAt: Date, field: string, outcome: string): Prisma.SyncConflictCreateManyInput => ({
      detectedAt,
      datasheetId: 'dst',
      recordId: 'recA',
      field,
      aitableValue: 'x',
      bridgeValue: 'y',
      policy: outcome === 'restored' ? 'bridge-wins' : 'manual',
      outcome,
    });
    await db.syncConflict.createMany({
      data: [
        conflict(at('10:05'), 'Portal URL', 'restored'),
        conflict(at('10:50'), 'Portal URL', 'restored'),
        conflict(at('11:10'), 'Portal Status', 'held'),
        conflict(at('11:20'), 'Portal Status', 'resolved_missionx'),
        conflict(new Date('2025-05-30T10:00:00Z'), 'Portal URL', 'restored'), // outside the 24 h
      ],
    });
    const chart = await conflictsChart(db, range);
    expect(chart.series.map((x) => x.name)).toEqual(['Portal Status: held', 'Portal Status: resolved_missionx', 'Portal URL: restored']);
    expect(chart.series.map((x) => [valuesAt(chart, x.name, '10'), valuesAt(chart, x.name, '11')])).toEqual([
      [null, 1],
      [null, 1],
      [2, null],
    ]);
    expect(chart.series.flatMap((x) => x.values).reduce<number>((a, v) => a + (v ?? 0), 0)).toBe(4);
  });

  it('when leads went through the stages, then the funnel counts each stage, its conversion and the median time from the stage before', async () => {
    const stages = (await funnel(db, range)).stages;
    expect(stages.map(({ medianSecondsFromPrevious: _, ...x }) => x)).toEqual([
      { stage: 'leads', count: 3, conversion: null },
      { stage: 'portal_created', count: 2, conversion: 0.6667 },
      { stage: 'order_won', count: 1, conversion: 0.5 },
      { stage: 'audit_delivered', count: 1, conversion: 1 },
    ]);
    // Medians come from the funnel rollup's log-scale buckets: within ~19% of the exact 20 s, 1 h and 1 h.
    const exact = [null, 20, 3600, 3600];
    stages.forEach((x, i) => {
      if (exact[i] === null) expect(x.medianSecondsFromPrevious).toBeNull();
      else expect(Math.abs(x.medianSecondsFromPrevious! / exact[i]! - 1)).toBeLessThan(0.19);
    });
    expect((await funnel(db, parseInsightRange('1h', now))).stages[0]!.count).toBe(0);
  });
});
