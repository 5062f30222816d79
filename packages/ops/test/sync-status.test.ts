import { randomUUID } from 'node:crypto';
import { createDb, type PrismaClient, type Prisma } from '@bridge/db';
import { createTestDatabase, type QueueHarness, startQueueHarness, type TestDatabase } from '@bridge/testkit';
import { closeQueues, createQueues, createRedis } from '@bridge/queues';
import { queueHealth, syncStatus } from '../src';

let tdb: TestDatabase;
let db: PrismaClient;
let h: QueueHarness;
const now = new Date('2025-06-01T12:00:00Z');

const row = (over: Partial<Prisma.AITableSyncCreateManyInput>): Prisma.AITableSyncCreateManyInput => ({
  recordId: `rec${randomUUID().slice(0, 8)}`,
  datasheetId: 'dstLeads1',
  entityType: 'lead',
  syncDirection: 'aitable_to_app',
  ...over,
});

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb({ databaseUrl: tdb.url, poolSize: 3 });
  h = startQueueHarness({ workers: [] });
  await db.aITableSync.createMany({
    data: [
      row({ syncStatus: 'success' }),
      row({ syncStatus: 'success' }),
      row({ syncStatus: 'pending', recordId: 'recOldest', lastJobId: 'job-7', updatedAt: new Date('2025-06-01T11:00:00Z') }),
      row({ syncStatus: 'pending', updatedAt: new Date('2025-06-01T11:59:00Z') }),
      row({
        syncStatus: 'failed',
        recordId: 'recFail1',
        errorMessage: 'MissionX 500 for jane@example.com',
        retryCount: 8,
        lastJobId: 'job-9',
      }),
      row({ entityType: 'order', datasheetId: 'dstOrders1', syncStatus: 'failed', recordId: 'recFail2', errorMessage: 'AITable 429' }),
    ],
  });
  const d = (over: Partial<Prisma.WebhookDeliveryCreateManyInput>): Prisma.WebhookDeliveryCreateManyInput => ({
    id: randomUUID(),
    requestId: 'r',
    source: 'aitable',
    outcome: 'rejected',
    httpStatus: 422,
    ...over,
  });
  await db.webhookDelivery.createMany({
    data: [
      d({ outcome: 'accepted', httpStatus: 202, receivedAt: new Date('2025-06-01T10:00:00Z') }),
      d({ outcome: 'accepted', httpStatus: 202, receivedAt: new Date('2025-06-01T11:30:00Z') }),
      d({ reason: 'unknown_datasheet', rawBody: '{}', receivedAt: new Date('2025-06-01T11:40:00Z') }),
      d({ reason: 'invalid_json', rawBody: '{', replayedAt: new Date(), replayJobId: 'x' }),
      d({ reason: 'signature', httpStatus: 401 }),
    ],
  });
  await h.addJob('leads', 'recQ1');
  await h.addJob('leads', 'recQ2');
});
afterAll(async () => {
  await h.close();
  await db.$disconnect();
  await tdb.drop();
});

test('when sync rows, deliveries and jobs exist, then the status counts them by entity, status and state', async () => {
  const s = await syncStatus(db, h.queues, { now });

  expect(s.syncCounts).toEqual({ lead: { pending: 2, success: 2, failed: 1 }, order: { pending: 0, success: 0, failed: 1 } });
  expect(s.oldestPending).toEqual({
    entityType: 'lead',
    recordId: 'recOldest',
    lastJobId: 'job-7',
    since: '2025-06-01T11:00:00.000Z',
    ageSeconds: 3600,
  });
  expect(s.queues.leads.waiting).toBe(2);
  expect(s.queues.orders.waiting).toBe(0);
  expect(s.lastAcceptedDeliveryAt).toBe('2025-06-01T11:30:00.000Z');
  expect(s.rejectedDeliveries.awaitingFix).toBe(1);
  expect(s.rejectedDeliveries.recent).toEqual([
    expect.objectContaining({ reason: 'unknown_datasheet', receivedAt: '2025-06-01T11:40:00.000Z' }),
  ]);
});

test('when sync rows failed, then recent failures show the error, attempts and last job', async () => {
  const s = await syncStatus(db, h.queues, { now });
  const byRecord = Object.fromEntries(s.recentFailures.map((f) => [f.recordId, f]));
  expect(byRecord.recFail1).toMatchObject({
    entityType: 'lead',
    errorMessage: 'MissionX 500 for jane@example.com',
    retryCount: 8,
    lastJobId: 'job-9',
  });
  expect(byRecord.recFail2).toMatchObject({ entityType: 'order', errorMessage: 'AITable 429' });
  expect(s.recentFailures).toHaveLength(2);
});

test('when Postgres does not answer, then the status fails as a transient 503 saying so', async () => {
  const nowhere = createDb({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
  try {
    await expect(syncStatus(nowhere, h.queues, { now })).rejects.toMatchObject({
      kind: 'transient',
      code: 'db_unavailable',
      httpStatus: 503,
    });
  } finally {
    await nowhere.$disconnect();
  }
});

test('when Redis does not answer, then the status fails as a transient 503 naming Redis', async () => {
  const deadRedis = createRedis('redis://127.0.0.1:1', 'producer');
  deadRedis.on('error', () => undefined);
  const deadQueues = createQueues({ connection: deadRedis, prefix: 'nowhere' });
  for (const q of Object.values(deadQueues)) q.on('error', () => undefined);
  try {
    await expect(syncStatus(db, deadQueues, { now })).rejects.toMatchObject({
      kind: 'transient',
      code: 'redis_unavailable',
      httpStatus: 503,
    });
  } finally {
    await closeQueues(deadQueues).catch(() => undefined);
    deadRedis.disconnect();
  }
});

test('when rows exist, then the status shows each growing table with its rows and bytes', async () => {
  const s = await syncStatus(db, h.queues, { now });
  expect(s.tables).toEqual([
    { table: 'AITableSync', rows: 6, bytes: expect.any(Number) },
    { table: 'SyncEvent', rows: 0, bytes: expect.any(Number) },
    { table: 'WebhookDelivery', rows: 5, bytes: expect.any(Number) },
    { table: 'SyncConflict', rows: 0, bytes: expect.any(Number) },
  ]);
  expect(s.tables[0]!.bytes).toBeGreaterThan(0);
});

test('when jobs wait, then queue health gives the waiting count and the age of the oldest one', async () => {
  const oldest = Math.min(...(await h.queues.leads.getWaiting()).map((j) => j.timestamp));
  const health = await queueHealth(h.queues, new Date(oldest + 90_000));
  expect(health.find((q) => q.queue === 'leads')).toMatchObject({ waiting: 2, oldestWaitingSeconds: 90 });
  expect(health.find((q) => q.queue === 'orders')).toMatchObject({ waiting: 0, oldestWaitingSeconds: 0 });
});
