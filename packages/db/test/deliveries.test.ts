import { createDb, createDeliveryWriter, type DeliveryRow, type PrismaClient } from '@bridge/db';
import { collectingLogger, waitFor } from '@bridge/testkit-base';
import { createTestDatabase, type TestDatabase } from './database';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';

const row = (over: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id: randomUUID(),
  receivedAt: new Date(),
  requestId: 'req-1',
  source: 'aitable',
  outcome: 'accepted',
  httpStatus: 202,
  ...over,
});

describe('createDeliveryWriter', () => {
  let t: TestDatabase;
  let db: PrismaClient;
  beforeAll(async () => {
    t = await createTestDatabase();
    db = createDb({ databaseUrl: t.url, poolSize: 4 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await t.drop();
  });
  beforeEach(() => db.webhookDelivery.deleteMany());

  it('when rows are recorded, then the timer writes them without an explicit flush', async () => {
    const w = createDeliveryWriter(db, { flushMs: 20 });
    const r = row({ outcome: 'rejected', reason: 'invalid_json', httpStatus: 400, rawBody: '{"a":', contentType: 'application/json' });
    w.record(r);
    const stored = await waitFor(() => db.webhookDelivery.findUnique({ where: { id: r.id } }), { what: 'delivery row' });
    expect(stored).toMatchObject({ outcome: 'rejected', reason: 'invalid_json', httpStatus: 400, rawBody: '{"a":', source: 'aitable' });
    await w.close();
  });

  it('when more rows than one batch are recorded, then every row is written and nothing is pending', async () => {
    const w = createDeliveryWriter(db, { maxBatch: 7, flushMs: 10_000 });
    for (let i = 0; i < 50; i++) w.record(row());
    await w.flush();
    expect(await db.webhookDelivery.count()).toBe(50);
    expect(w.pending).toBe(0);
    await w.close();
  });

  it('when one row of a batch is refused by Postgres, then the others are written and only it is set aside', async () => {
    const log = collectingLogger();
    const w = createDeliveryWriter(db, { flushMs: 10_000, logger: log });
    w.record(row());
    w.record(row({ id: 'not-a-uuid' }));
    w.record(row());
    await w.flush();
    expect(await db.webhookDelivery.count()).toBe(2);
    expect([w.refused, w.dropped]).toEqual([1, 0]);
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'error', meta: { table: 'WebhookDelivery', rowId: 'not-a-uuid', sqlState: '22P02' } }),
    ]);
    await w.close();
  });

  it('when one row holds a record id too long for its index, then only it is refused and the other 300 are written', async () => {
    const log = collectingLogger();
    const refusals: [string, string][] = [];
    const w = createDeliveryWriter(db, { flushMs: 60_000, logger: log, onRefused: (r, sqlState) => refusals.push([r.id, sqlState]) });
    const long = randomBytes(2250)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x');
    const bad = row({ datasheetId: 'dstA', recordId: long, outcome: 'rejected', rawBody: `{"recordId":"${long}"}`, httpStatus: 400 });
    for (let i = 0; i < 300; i++) w.record(i === 150 ? bad : row({ datasheetId: 'dstA', recordId: `rec${i}` }));
    w.record(row());
    await w.close();
    expect(await db.webhookDelivery.count()).toBe(300);
    expect(refusals).toEqual([[bad.id, '54000']]);
    expect([w.refused, w.dropped, w.pending]).toEqual([1, 0, 0]);
    const refusal = log.lines.find((l) => l.message.includes('refused by the database; set aside'));
    expect(refusal?.meta).toEqual({ table: 'WebhookDelivery', rowId: bad.id, sqlState: '54000' });
    expect(JSON.stringify(log.lines)).not.toContain(long.slice(0, 100));
    expect(log.lines.at(-1)).toMatchObject({
      message: 'WebhookDelivery writer closed with rows not stored: 1 refused by the database for their data',
      meta: expect.objectContaining({ refusedRows: 1, unwrittenRows: 0, overflowRows: 0 }),
    });
  });

  it('when a raw body or an id from the sender holds a NUL byte, then the row is still stored', async () => {
    const w = createDeliveryWriter(db, { flushMs: 10_000 });
    const r = row({ outcome: 'rejected', rawBody: 'a\u0000b', recordId: 'rec\u0000x', httpStatus: 400 });
    w.record(r);
    await w.flush();
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({
      rawBody: 'a\uFFFDb',
      recordId: 'rec\uFFFDx',
    });
    await w.close();
  });

  it('when closed, then pending rows are written and later records are dropped', async () => {
    const w = createDeliveryWriter(db, { flushMs: 60_000 });
    w.record(row());
    await w.close();
    expect(await db.webhookDelivery.count()).toBe(1);
    w.record(row());
    expect(w.dropped).toBe(1);
  });

  it('when Postgres does not answer, then record never throws, flush resolves and the buffer stays bounded', async () => {
    const down = createDb({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
    const log = collectingLogger();
    const w = createDeliveryWriter(down, { flushMs: 60_000, maxBuffered: 3, attempts: 2, retryDelayMs: 5, logger: log });
    const rows = [row(), row(), row(), row(), row()];
    for (const r of rows) expect(() => w.record(r)).not.toThrow();
    await expect(w.flush()).resolves.toBeUndefined();
    expect(w.pending).toBe(3);
    expect(w.dropped).toBe(2);
    expect(log.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining(['WebhookDelivery buffer full: oldest rows dropped', 'WebhookDelivery rows not written yet; will retry']),
    );
    await w.close();
    expect(w.dropped).toBe(5);
    expect(log.lines.at(-1)?.message).toBe(
      'WebhookDelivery writer closed with rows not stored: 3 not written at shutdown because the database did not answer; ' +
        '2 dropped when the buffer was full',
    );
    await down.$disconnect();
  });

  it('when Postgres refuses connections for a while, then the buffered rows are written once it is back', async () => {
    const admin = new Client({ connectionString: t.url.replace(`/${t.name}`, '/postgres') });
    await admin.connect();
    const own = createDb({ databaseUrl: t.url, poolSize: 2 });
    const w = createDeliveryWriter(own, { flushMs: 20, attempts: 1 });
    try {
      await own.$queryRaw`SELECT 1`;
      await admin.query(`ALTER DATABASE "${t.name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [t.name]);
      const rows = [row(), row({ id: 'not-a-uuid' }), row()];
      for (const r of rows) w.record(r);
      await w.flush();
      expect([w.pending, w.refused]).toEqual([3, 0]);
      await admin.query(`ALTER DATABASE "${t.name}" ALLOW_CONNECTIONS true`);
      await waitFor(async () => (await db.webhookDelivery.count()) === 2, { what: 'rows written after recovery' });
      await waitFor(() => w.pending === 0, { what: 'nothing pending' });
      expect([w.dropped, w.refused]).toEqual([0, 1]);
    } finally {
      await admin.query(`ALTER DATABASE "${t.name}" ALLOW_CONNECTIONS true`);
      await admin.end();
      await w.close();
      await own.$disconnect();
    }
  });
});
