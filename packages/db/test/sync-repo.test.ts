import { AppError } from '@bridge/errors';
import { randomBytes } from 'node:crypto';
import { createDb, createSyncRepo, type PrismaClient, type SyncKey, type SyncRepo } from '@bridge/db';
import { createTestDatabase, type TestDatabase } from './database';

describe('sync repository', () => {
  let tdb: TestDatabase;
  let db: PrismaClient;
  let repo: SyncRepo;
  let n = 0;
  const key = (): SyncKey => ({ datasheetId: 'dstLeads', recordId: `rec${++n}`, direction: 'aitable_to_app' });
  const attempt = (a: number) => ({ entityType: 'lead' as const, attempt: a, jobId: `job-${a}`, requestId: `req-${a}` });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb({ databaseUrl: tdb.url, poolSize: 2 });
    repo = createSyncRepo(db);
  });
  afterAll(async () => {
    await db.$disconnect();
    await tdb.drop();
  });

  it('when a first attempt begins, then a pending row holds the attempt number, job and request ids', async () => {
    const k = key();
    const row = await repo.beginAttempt(k, attempt(1));
    expect(row).toMatchObject({
      syncStatus: 'pending',
      retryCount: 1,
      lastJobId: 'job-1',
      lastRequestId: 'req-1',
      active: true,
      entityType: 'lead',
    });
    expect(await db.aITableSync.count({ where: { recordId: k.recordId } })).toBe(1);
  });

  it('when attempts fail and the last one is final, then each error and count is recorded and the row ends failed', async () => {
    const k = key();
    await repo.beginAttempt(k, attempt(1));
    const first = await repo.markFailed(k, { message: 'missionx_unavailable: 500', final: false });
    expect(first).toMatchObject({ syncStatus: 'pending', errorMessage: 'missionx_unavailable: 500', retryCount: 1 });
    await repo.beginAttempt(k, attempt(2));
    const last = await repo.markFailed(k, { message: 'missionx_unavailable: 502', final: true });
    expect(last).toMatchObject({ syncStatus: 'failed', errorMessage: 'missionx_unavailable: 502', retryCount: 2, lastJobId: 'job-2' });
  });

  it('when an attempt succeeds, then the error is cleared, the count reset and metadata merged key by key', async () => {
    const k = key();
    await repo.beginAttempt(k, attempt(3));
    await repo.markFailed(k, { message: 'boom', final: false });
    await repo.markSuccess(k, { entityId: 'mx1', metadata: { portalUrl: 'https://p/1', inputHash: 'a' } });
    const row = await repo.markSuccess(k, { entityId: 'mx1', metadata: { inputHash: 'b' } });
    expect(row).toMatchObject({ syncStatus: 'success', errorMessage: null, retryCount: 0, entityId: 'mx1' });
    expect(row.metadata).toEqual({ portalUrl: 'https://p/1', inputHash: 'b' });
    expect(row.lastSyncedAt).toBeInstanceOf(Date);
  });

  it('when the same key begins twice (a retry after a crash), then there is still one row', async () => {
    const k = key();
    await repo.beginAttempt(k, attempt(1));
    await repo.beginAttempt(k, attempt(2));
    expect(await db.aITableSync.count({ where: { recordId: k.recordId } })).toBe(1);
    expect((await repo.find(k))?.retryCount).toBe(2);
  });

  it('when the same record syncs in both directions, then each direction has its own row', async () => {
    const k = key();
    await repo.beginAttempt(k, attempt(1));
    await repo.beginAttempt({ ...k, direction: 'app_to_aitable' }, attempt(1));
    expect(await db.aITableSync.count({ where: { recordId: k.recordId } })).toBe(2);
  });

  it('when a record is deleted, then its row becomes inactive, with or without an earlier row', async () => {
    const synced = key();
    await repo.beginAttempt(synced, attempt(1));
    await repo.markSuccess(synced, { entityId: 'mx2', metadata: { portalUrl: 'u' } });
    const a = await repo.markInactive(synced, { ...attempt(1), metadata: { deletedAt: 'now' } });
    expect(a).toMatchObject({ active: false, entityId: 'mx2', syncStatus: 'success' });
    expect(a.metadata).toEqual({ portalUrl: 'u', deletedAt: 'now' });
    const never = key();
    const b = await repo.markInactive(never, attempt(1));
    expect(b).toMatchObject({ active: false, entityId: null, entityType: 'lead' });
  });

  it('when a row that does not exist is marked, then a classified permanent AppError comes out', async () => {
    const err = await repo.markFailed(key(), { message: 'x', final: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('permanent');
  });

  it('when a record id is too long for its index, then the row is refused as permanent db_row_refused and reported once', async () => {
    const refusals: { table: string; sqlState: string }[] = [];
    const reporting = createSyncRepo(db, { onRefused: ({ table, sqlState }) => refusals.push({ table, sqlState }) });
    const k = { ...key(), recordId: `rec${randomBytes(1500).toString('hex')}` };
    const err = await reporting.beginAttempt(k, attempt(1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', code: 'db_row_refused', details: { sqlState: '54000' } });
    expect(refusals).toEqual([{ table: 'AITableSync', sqlState: '54000' }]);
    expect(await db.aITableSync.count({ where: { recordId: k.recordId } })).toBe(0);
  });

  it('when our own texts hold NUL or are over-long, then they are cleaned rather than refused', async () => {
    const k = key();
    const row = await repo.beginAttempt(k, { entityType: 'lead', attempt: 1, jobId: 'job\u0000x', requestId: 'r'.repeat(5000) });
    expect(row).toMatchObject({ lastJobId: 'job\uFFFDx', lastRequestId: 'r'.repeat(200) });
    expect(await repo.markFailed(k, { message: 'AITable said \u0000', final: true })).toMatchObject({
      errorMessage: 'AITable said \uFFFD',
    });
  });
});
