import { createDb, type PrismaClient } from '@bridge/db';
import { waitFor } from '@bridge/testkit-base';
import { createTestDatabase, type TestDatabase } from './database';

const backend = async (db: PrismaClient) => Number((await db.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid);

describe('createDb', () => {
  let t: TestDatabase;
  const opened: PrismaClient[] = [];
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.$disconnect()));
    await t.drop();
  });

  it('when a pool is given a longer idle timeout, then its connection outlives an idle spell that closes a shorter-lived pool connection', async () => {
    const short = createDb({ databaseUrl: t.url, poolSize: 1, idleTimeoutMs: 300 });
    const kept = createDb({ databaseUrl: t.url, poolSize: 1, idleTimeoutMs: 60_000 });
    opened.push(short, kept);
    const [shortPid, keptPid] = [await backend(short), await backend(kept)];
    const open = async () =>
      (await kept.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).map((r) =>
        Number(r.pid),
      );
    // The short pool closes its idle connection; the other one's is still the one serving it.
    await waitFor(async () => ((await open()).includes(shortPid) ? undefined : true), {
      timeoutMs: 20_000,
      what: 'the idle connection to close',
    });
    expect(await backend(kept)).toBe(keptPid);
    expect(await backend(short)).not.toBe(shortPid);
  });
});
