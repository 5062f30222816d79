import { randomUUID } from 'node:crypto';
import { createDb, insertSyncEvents, rebuildInsightRollups, type PrismaClient, type SyncEventRow } from '@bridge/db';
import { createTestDatabase, type TestDatabase } from './database';

/** A small seeded generator (mulberry32), so a failing seed can be run again. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

/** Random history rows of 30 leads, their orders and audits: every outcome, codes, replays, latencies from 1 ms to 2 days. */
function randomRows(next: () => number, count: number): SyncEventRow[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return Array.from({ length: count }, () => {
    const entityType = pick(['lead', 'lead', 'order', 'audit_result'] as const);
    const n = Math.floor(next() * 30);
    const recordId = entityType === 'lead' ? `recL${n}` : entityType === 'order' ? `recO${n}` : `audit-${n}`;
    const outcome = pick(['success', 'success', 'retry', 'failed'] as const);
    const receivedAt = T0 + Math.floor(next() * 3 * DAY);
    const latency = Math.floor(2 ** (next() * 27));
    const result = { lead: pick(['synced', 'skipped']), order: pick(['activated', 'noop']), audit_result: pick(['created', 'updated']) }[
      entityType
    ];
    return {
      id: randomUUID(),
      receivedAt: new Date(receivedAt),
      finishedAt: new Date(receivedAt + latency),
      entityType,
      queue: { lead: 'leads', order: 'orders', audit_result: 'audit-results' }[entityType],
      jobId: randomUUID(),
      recordId: next() < 0.05 ? undefined : recordId,
      attempt: 1 + Math.floor(next() * 3),
      outcome,
      result: outcome === 'success' ? result : undefined,
      errorCode: outcome === 'success' ? undefined : pick(['missionx_unavailable', 'aitable_not_found', 'lead_missing_field']),
      manual: next() < 0.1,
    };
  });
}

/** Random deliveries over the same three days: every outcome, rejections by reason or none. */
function randomDeliveries(next: () => number, count: number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const outcome = pick(['accepted', 'accepted', 'duplicate', 'rejected'] as const);
    return {
      id: randomUUID(),
      receivedAt: new Date(T0 + Math.floor(next() * 3 * DAY)),
      requestId: `req-${i}`,
      source: 'aitable',
      outcome,
      reason: outcome === 'rejected' ? pick(['signature', 'invalid_json', undefined]) : undefined,
      httpStatus: outcome === 'rejected' ? 401 : 202,
    };
  });
}

describe('insight rollups', () => {
  let t: TestDatabase;
  let db: PrismaClient;
  beforeAll(async () => {
    t = await createTestDatabase();
    db = createDb({ databaseUrl: t.url, poolSize: 4 });
    // Orders link to their lead and audits to their order, as the workers record them before the history rows.
    const links = Array.from({ length: 30 }, (_, i) => [
      { recordId: `recO${i}`, datasheetId: 'dstO', entityType: 'order' as const, metadata: { leadRecordId: `recL${(i * 7) % 30}` } },
      {
        recordId: `audit-${i}`,
        datasheetId: 'dstA',
        entityType: 'audit_result' as const,
        metadata: { orderRecordId: `recO${(i * 11) % 30}` },
      },
    ]).flat();
    await db.aITableSync.createMany({ data: links.map((l) => ({ ...l, syncDirection: 'aitable_to_app', syncStatus: 'success' })) });
  });
  afterAll(async () => {
    await db.$disconnect();
    await t.drop();
  });

  // A funnel rollup row whose leads all moved on (their portal came later) is left at 0; a rebuild has none.
  const snapshot = async () => ({
    rollups: await db.$queryRaw`SELECT * FROM "SyncEventRollup" ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    funnel: await db.$queryRaw`SELECT * FROM "LeadFunnel" ORDER BY 1`,
    funnelRollup: await db.$queryRaw`SELECT * FROM "LeadFunnelRollup" WHERE "n" <> 0 ORDER BY 1, 2, 3, 4`,
    deliveryRollup: await db.$queryRaw`SELECT * FROM "DeliveryRollup" ORDER BY 1, 2, 3, 4`,
  });

  test.each([1, 2, 3, 4, 5])(
    'when random rows arrive in random concurrent batches, some twice (seed %i), then the rollups equal a from-scratch aggregation of the same rows',
    async (seed) => {
      await db.$executeRaw`DELETE FROM "SyncEvent"`;
      await db.$executeRaw`DELETE FROM "SyncEventRollup"`;
      await db.$executeRaw`DELETE FROM "LeadFunnel"`;
      await db.$executeRaw`DELETE FROM "LeadFunnelRollup"`;
      await db.$executeRaw`DELETE FROM "WebhookDelivery"`;
      await db.$executeRaw`DELETE FROM "DeliveryRollup"`;
      const next = rng(seed);
      const rows = randomRows(next, 600);
      const deliveries = randomDeliveries(next, 300);
      const batches: SyncEventRow[][] = [];
      for (let i = 0; i < rows.length;) {
        const size = 1 + Math.floor(next() * 60);
        batches.push(rows.slice(i, i + size));
        i += size;
      }
      // A batch retried after its answer was lost comes again with the same ids.
      const retried = batches.filter(() => next() < 0.3);
      const all = [...batches, ...retried].sort(() => next() - 0.5);
      for (let i = 0; i < all.length; i += 4) await Promise.all(all.slice(i, i + 4).map((b) => insertSyncEvents(db, b)));
      // Deliveries likewise, some batches twice (the writer's retry: ON CONFLICT DO NOTHING inserts none of them again).
      const deliveryBatches = [0, 100, 200, 0, 150].map((from) => deliveries.slice(from, from + 100));
      await Promise.all(deliveryBatches.map((data) => db.webhookDelivery.createMany({ data, skipDuplicates: true })));
      const [delivered] = await db.$queryRaw<{ n: bigint }[]>`SELECT sum("n") AS n FROM "DeliveryRollup" WHERE "bucketSeconds" = 3600`;
      expect(Number(delivered!.n)).toBe(300);

      const incremental = await snapshot();
      const [totals] = await db.$queryRaw<{ w300: bigint; w3600: bigint; w21600: bigint; rows: bigint }[]>`
        SELECT (SELECT sum("n") FROM "SyncEventRollup" WHERE "bucketSeconds" = 300) AS w300, (SELECT sum("n") FROM "SyncEventRollup" WHERE "bucketSeconds" = 21600) AS w21600,
          (SELECT sum("n") FROM "SyncEventRollup" WHERE "bucketSeconds" = 3600) AS w3600, (SELECT count(*) FROM "SyncEvent") AS rows`;
      expect([totals!.w300, totals!.w3600, totals!.w21600, totals!.rows].map(Number)).toEqual([600, 600, 600, 600]);

      await rebuildInsightRollups(db);
      expect(incremental).toEqual(await snapshot());
      expect((incremental.funnel as unknown[]).length).toBeGreaterThan(20);
    },
  );
});
