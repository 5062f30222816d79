import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  createTestDatabase,
  runScript,
  type QueueHarness,
  startQueueHarness,
  TEST_REDIS_URL,
  type TestDatabase,
  waitFor,
} from '@bridge/testkit';
import { createDb, type PrismaClient } from '@bridge/db';

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
jest.setTimeout(90_000);

let tdb: TestDatabase;
let db: PrismaClient;
let h: QueueHarness;
let env: NodeJS.ProcessEnv;

/** Runs a script of this app in its own process, as an operator would; stdin is not a terminal. */
const run = (script: string, args: string[], over: NodeJS.ProcessEnv = {}) =>
  runScript(`apps/dashboard/src/${script}`, args, { env: { ...env, ...over } });
const cli = (args: string[], over?: NodeJS.ProcessEnv) => run('replay-cli.ts', args, over);

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb({ databaseUrl: tdb.url, poolSize: 2 });
  h = startQueueHarness();
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: TEST_REDIS_URL,
    DATABASE_URL: tdb.url,
    QUEUE_PREFIX: h.prefix,
    AITABLE_LEADS_DATASHEET_ID: 'dstLeads1',
    AITABLE_ORDERS_DATASHEET_ID: 'dstOrders1',
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAudit1',
  };
});
afterAll(async () => {
  await h.close();
  await db.$disconnect();
  await tdb.drop();
});

describe('replay jobs', () => {
  test('when --json --yes replays the selected job, then stdout is one JSON summary, the exit code 0, and the job completes', async () => {
    const job = await h.failJob('leads', 'recCli1', 'MissionX 503');
    await h.failJob('leads', 'recCli2', 'MissionX 503');

    const r = await cli(['jobs', '--queue', 'leads', '--record', 'recCli1', '--since', '1h', '--json', '--yes']);

    expect(r).toMatchObject({ code: 0 });
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      dryRun: false,
      matched: 1,
      replayed: 1,
      skipped: 0,
      errors: [],
      jobs: [expect.objectContaining({ id: job.id, recordId: 'recCli1' })],
    });
    await h.waitForState('leads', job.id!, 'completed');
  });

  test('when several jobs are replayed without a terminal, then progress is one plain line per job on stderr and a summary on stdout', async () => {
    const a = await h.failJob('audit-results', 'recCliBulk1', 'bulk outage');
    const b = await h.failJob('audit-results', 'recCliBulk2', 'bulk outage');

    const r = await cli(['jobs', '--queue', 'audit-results', '--error', 'BULK OUTAGE', '--yes']);

    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([`1/2 replayed audit-results/${b.id}`, `2/2 replayed audit-results/${a.id}`]);
    expect(r.stdout).toMatch(/2 failed job\(s\) match/);
    expect(r.stdout).toMatch(/2 replayed, 0 skipped, 0 failed/);
  });

  test('when --dry-run is given, then the jobs are listed and stay failed', async () => {
    const job = await h.failJob('orders', 'recCliDry', 'AITable 500');

    const r = await cli(['jobs', '--queue', 'orders', '--error', 'aitable 500', '--dry-run', '--json']);

    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dryRun: true,
      matched: 1,
      replayed: 0,
      items: [{ jobId: job.id, outcome: 'would-replay' }],
    });
    expect(await (await h.queues.orders.getJob(job.id!))!.getState()).toBe('failed');
  });

  test('when the CLI is called wrongly, then it exits 2 with a message and replays nothing', async () => {
    const job = await h.failJob('orders', 'recCliUsage', 'AITable 500');
    for (const args of [
      ['jobs', '--queue', 'lead'],
      ['jobs'],
      ['frobnicate'],
      ['jobs', '--bogus'],
      ['jobs', '--queue', 'orders', '--record', 'recCliUsage'],
    ]) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/error: /);
    }
    // The last one lacked --yes with no terminal to ask on.
    expect(await (await h.queues.orders.getJob(job.id!))!.getState()).toBe('failed');
  });

  test('when the configuration is incomplete or Redis is unreachable, then it exits 3', async () => {
    const noSheet = await cli(['jobs', '--all', '--dry-run'], { AITABLE_LEADS_DATASHEET_ID: '' });
    expect(noSheet).toMatchObject({ code: 3, stderr: expect.stringMatching(/AITABLE_LEADS_DATASHEET_ID is required/) });
    const noRedis = await cli(['jobs', '--all', '--dry-run'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(noRedis).toMatchObject({ code: 3, stderr: expect.stringMatching(/cannot reach Redis/) });
  });
});

describe('replay deliveries', () => {
  test('when a delivery for a datasheet missing from the config is replayed, then it fails (1) before the fix and becomes a job after it', async () => {
    const id = randomUUID();
    await db.webhookDelivery.create({
      data: {
        id,
        requestId: 'req-cli',
        source: 'aitable',
        outcome: 'rejected',
        reason: 'unknown_datasheet',
        httpStatus: 422,
        datasheetId: 'dstNewOrders',
        recordId: 'recOrdCli',
        contentType: 'application/json',
        rawBody: JSON.stringify({ datasheetId: 'dstNewOrders', recordId: 'recOrdCli' }),
      },
    });
    const listed = await cli(['deliveries', 'list', '--reason', 'unknown_datasheet', '--awaiting-fix', '--json']);
    expect(JSON.parse(listed.stdout).deliveries).toEqual([expect.objectContaining({ id, datasheetId: 'dstNewOrders' })]);

    const before = await cli(['deliveries', 'replay', id]);
    expect(before).toMatchObject({ code: 1, stderr: expect.stringMatching(/still invalid \(unknown_datasheet\)/) });

    const fixedEnv = { AITABLE_ORDERS_DATASHEET_ID: 'dstNewOrders' };
    expect(JSON.parse((await cli(['deliveries', 'revalidate', id, '--json'], fixedEnv)).stdout)).toMatchObject({
      ok: true,
      queue: 'orders',
    });
    const after = await cli(['deliveries', 'replay', id, '--json'], fixedEnv);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual({ deliveryId: id, queue: 'orders', jobId: id, duplicate: false });
    await h.waitForState('orders', id, 'completed');
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id } })).replayJobId).toBe(id);
  });
});

describe('listing deliveries', () => {
  test('when listed without --outcome, then it says it shows rejected deliveries, and the JSON names the outcome', async () => {
    const text = await cli(['deliveries', 'list', '--since', '1h']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe('rejected deliveries (the default; --outcome accepted|duplicate for the others):');
    expect(JSON.parse((await cli(['deliveries', 'list', '--json'])).stdout)).toMatchObject({ outcome: 'rejected' });

    const accepted = await cli(['deliveries', 'list', '--outcome', 'accepted']);
    expect(accepted.stdout.split('\n')[0]).toBe('accepted deliveries:');
    expect(accepted.stdout).toMatch(/\d+ accepted deliver(y|ies)\n$/);
  });
});

describe('dashboard start-up', () => {
  test('when the dashboard gets SIGTERM, then it closes its server and connections and exits 0', async () => {
    const child = spawn(TSX, [path.join(ROOT, 'apps/dashboard/src/main.ts')], {
      cwd: ROOT,
      env: { ...env, DASHBOARD_PORT: '0', DASHBOARD_USERS: 'ops:operator-pass:operator', LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('dashboard listening'), { what: 'the dashboard to listen', timeoutMs: 30_000 });

    child.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGTERM received[\s\S]*dashboard stopped/);
  });

  test('when DASHBOARD_USERS is empty and no-auth is not allowed, then the dashboard exits 1 and says what to set', async () => {
    const r = await run('main.ts', [], { DASHBOARD_PORT: '0', DASHBOARD_USERS: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DASHBOARD_USERS is empty.*DASHBOARD_ALLOW_NO_AUTH=true/s);
  });
});
