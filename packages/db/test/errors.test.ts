import { classifyDbError, createDb, sqlStateOf, type PrismaClient } from '@bridge/db';
import { randomBytes } from 'node:crypto';
import { TEST_PG_ADMIN_URL, waitFor } from '@bridge/testkit-base';
import { createTestDatabase, type TestDatabase } from './database';
import { Client } from 'pg';

describe('classifyDbError', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createDb({ databaseUrl: db.url, poolSize: 1 });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  const row = { datasheetId: 'dstA', recordId: 'recA', entityType: 'lead' as const, syncDirection: 'aitable_to_app' as const };

  it('when a unique key is violated, then the row is refused, permanently, naming the SQLSTATE', async () => {
    await prisma.aITableSync.create({ data: row });
    const err = await prisma.aITableSync.create({ data: row }).catch((e: unknown) => e);
    expect(classifyDbError(err)).toMatchObject({ kind: 'permanent', code: 'db_row_refused', details: { sqlState: '23505' } });
  });

  it('when a value is too long for its index, then the row is refused and the message does not quote the value', async () => {
    const long = 'r'.repeat(10) + randomBytes(2250).toString('hex');
    const err = await prisma.aITableSync.create({ data: { ...row, recordId: long } }).catch((e: unknown) => e);
    const classified = classifyDbError(err);
    expect(classified).toMatchObject({ kind: 'permanent', code: 'db_row_refused', details: { sqlState: '54000' } });
    expect(classified.message).not.toContain(long.slice(0, 40));
  });

  it('when the table is missing, then the error is permanent but not blamed on the row', async () => {
    const err = await prisma.$executeRaw`INSERT INTO "NoSuchTable" VALUES (1)`.catch((e: unknown) => e);
    expect(sqlStateOf(err)).toBe('42P01');
    expect(classifyDbError(err)).toMatchObject({ kind: 'permanent', code: 'db_error' });
  });

  it('when the server terminates the connection mid-query, then the error is transient', async () => {
    const running = prisma.$queryRaw`SELECT pg_sleep(10)`.catch((e: unknown) => e);
    const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    await waitFor(
      async () =>
        (await admin.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep%' AND state = 'active'", [db.name]))
          .rowCount,
    );
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
    await admin.end();
    const err = await running;
    expect(err).toBeInstanceOf(Error);
    expect(classifyDbError(err)).toMatchObject({ kind: 'transient', code: 'db_unavailable' });
  });

  it('when nothing listens at the address, then the error is transient', async () => {
    const nowhere = createDb({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
    const err = await nowhere.$queryRaw`SELECT 1`.catch((e: unknown) => e);
    await nowhere.$disconnect();
    expect(classifyDbError(err)).toMatchObject({ kind: 'transient', code: 'db_unavailable' });
  });
});
