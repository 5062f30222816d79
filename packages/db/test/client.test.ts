import { createDb, openPool, type PrismaClient } from '@bridge/db';
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

  it('when a pool keeps its connections open, then openPool opens them all at once and an idle spell past the idle timeout closes none', async () => {
    const watcher = createDb({ databaseUrl: t.url, poolSize: 1 });
    opened.push(watcher);
    const pids = async () =>
      new Set(
        (await watcher.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).map((r) =>
          Number(r.pid),
        ),
      );
    const before = await pids();
    const warm = createDb({ databaseUrl: t.url, poolSize: 3, idleTimeoutMs: 200, keepOpen: 3 });
    opened.push(warm);
    expect(await openPool(warm, 3)).toBe(true);
    const added = [...(await pids())].filter((p) => !before.has(p));
    expect(added).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await pids();
    expect(added.every((p) => after.has(p))).toBe(true);
  });
});
