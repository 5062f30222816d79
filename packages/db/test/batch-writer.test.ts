import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createBatchWriter, createDb, type PrismaClient } from '@bridge/db';
import { collectingLogger } from '@bridge/testkit-base';
import { createTestDatabase, type TestDatabase } from './database';

interface Probe {
  id: string;
  key: string;
}

describe('createBatchWriter', () => {
  let t: TestDatabase;
  let db: PrismaClient;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
    db = createDb({ databaseUrl: t.url, poolSize: 2 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await t.drop();
  });

  const writer = (table: string, log = collectingLogger()) =>
    createBatchWriter<Probe>({
      table,
      insert: async (rows) => {
        const ids = rows.map((r) => r.id);
        const keys = rows.map((r) => r.key);
        await db.$executeRawUnsafe(`INSERT INTO "${table}" SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, ids, keys);
      },
      idOf: (r) => r.id,
      flushMs: 60_000,
      attempts: 1,
      logger: log,
    });

  it('when a check constraint refuses some rows, then each is set aside alone and every other row of the batch is written', async () => {
    await db.$executeRawUnsafe(`CREATE TABLE "Probe" (id text PRIMARY KEY, key text NOT NULL CHECK (key <> 'bad'))`);
    const w = writer('Probe');
    const rows = Array.from({ length: 64 }, (_, i) => ({ id: `p${i}`, key: [5, 6, 40].includes(i) ? 'bad' : 'ok' }));
    for (const r of rows) w.record(r);
    await w.close();
    expect(await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "Probe"`)).toEqual([{ n: 61 }]);
    expect([w.refused, w.dropped, w.pending]).toEqual([3, 0, 0]);
  });

  it('when the statement fails for every row alike (a missing table), then no row is blamed: they stay buffered and close says why', async () => {
    const log = collectingLogger();
    const w = writer('Missing', log);
    w.record({ id: 'm1', key: 'ok' });
    w.record({ id: 'm2', key: 'ok' });
    await w.flush();
    expect([w.pending, w.refused]).toEqual([2, 0]);
    await w.close();
    expect([w.dropped, w.refused]).toEqual([2, 0]);
    expect(log.lines.at(-1)?.message).toMatch(
      /^Missing writer closed with rows not stored: 2 not written at shutdown because the database failed the INSERT \(.*42P01.*\)$/,
    );
  });

  it('when the database stops answering without closing the connection, then close() still returns in time and reports the rows', async () => {
    // A server that accepts connections and never answers: what a silently dropped network looks like.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const dead = createDb({
      databaseUrl: `postgresql://postgres@127.0.0.1:${port}/none`,
      connectTimeoutMs: 60_000,
      queryTimeoutMs: 60_000,
    });
    const log = collectingLogger();
    const w = createBatchWriter<Probe>({
      table: 'Silent',
      insert: async (rows) => void (await dead.$executeRawUnsafe('SELECT $1::int', rows.length)),
      idOf: (r) => r.id,
      flushMs: 60_000,
      closeTimeoutMs: 300,
      logger: log,
    });
    try {
      w.record({ id: 's1', key: 'ok' });
      w.record({ id: 's2', key: 'ok' });
      // Without the bound, close() would wait for the 60 s timeouts and the test would time out.
      await w.close();
      expect(w.dropped).toBe(2);
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          message: expect.stringContaining('2 not written at shutdown because the database did not answer within 300 ms'),
        }),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await dead.$disconnect().catch(() => undefined);
    }
  });
});
