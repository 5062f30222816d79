import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimControlClient } from '@bridge/simulators';
import {
  createTestDatabase,
  obliterateQueues,
  REPO_ROOT,
  runScript,
  TEST_REDIS_URL,
  uniquePrefix,
  waitFor,
  type TestDatabase,
} from '@bridge/testkit';
import { ProcessGroup } from '../scripts/start/process-group';

/**
 * `npm start` as a newcomer meets it: a port clash names the process and the variable at fault;
 * in demo mode a busy default port is replaced by a free one and printed; and the banner's
 * commands (send-webhook lead and order, the audit-result curl, replay) work as printed, from a
 * shell that sourced nothing. Each run gets its own database, queue prefix and working directory.
 */
jest.setTimeout(300_000);

const START = path.join(REPO_ROOT, 'scripts/start.ts');
const tsx = path.join(REPO_ROOT, 'node_modules/.bin/tsx');

/** Holds a port as another program would; resolves undefined when something else already holds it (busy either way). */
function hold(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    server.listen(port, () => resolve(server));
  });
}
const close = (server: net.Server | undefined) => new Promise<void>((r) => (server ? server.close(() => r()) : r()));

let tdb: TestDatabase;
let prefix: string;
let cwd: string;
const env = () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: tdb.url,
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: prefix,
  AITABLE_RATE_LIMIT_PREFIX: `${prefix}:rl`,
  LOG_LEVEL: 'warn',
});

beforeAll(async () => {
  tdb = await createTestDatabase({ migrate: false });
  prefix = uniquePrefix('start');
  cwd = mkdtempSync(path.join(tmpdir(), 'start-'));
});
afterAll(async () => {
  await obliterateQueues(prefix);
  await tdb.drop();
  rmSync(cwd, { recursive: true, force: true });
});

test('when a port someone set is busy, then npm start stops before starting anything, naming the process and the variable', async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const r = await runScript(START, [], { env: { ...env(), WORKER_METRICS_PORT: String(port) }, cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`worker: port ${port} (WORKER_METRICS_PORT`);
    expect(r.stdout).not.toContain('migrations:');
  } finally {
    await close(server);
  }
});

test('when a child cannot listen, then the failure names that child and the port variable, not a process stopped after it', async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, r));
  const port = (server.address() as net.AddressInfo).port;
  const entry = path.join(cwd, 'listen.ts');
  writeFileSync(entry, `require('node:net').createServer().listen(Number(process.env.WORKER_METRICS_PORT));\n`);
  const idle = path.join(cwd, 'idle.ts');
  writeFileSync(idle, `setInterval(() => undefined, 1000);\nprocess.once('SIGTERM', () => process.exit(0));\n`);
  const group = new ProcessGroup(REPO_ROOT, { ...env(), WORKER_METRICS_PORT: String(port) });
  try {
    group.start('dashboard', idle);
    group.start('worker', entry);
    const reason = await group.failure;
    expect(reason).toMatch(new RegExp(`^worker exited \\(code 1\\): worker: port ${port} \\(WORKER_METRICS_PORT`));
    await group.stop();
  } finally {
    await close(server);
  }
});

test('when started with real credentials, then a stale .env.demo is removed, and a process that stops at start is the one named', async () => {
  const dir = mkdtempSync(path.join(cwd, 'live-'));
  writeFileSync(path.join(dir, '.env.demo'), "AITABLE_BASE_URL='http://127.0.0.1:4010/fusion'\n");
  // Live mode without the rest of the configuration: ingest stops at once on its config check.
  const live = {
    ...env(),
    AITABLE_API_KEY: 'key-of-a-real-space',
    MISSIONX_CLIENT_ID: 'client',
    INGEST_PORT: '0',
    DASHBOARD_PORT: '0',
    WORKER_METRICS_PORT: '0',
  };
  const r = await runScript(START, [], { env: live, cwd: dir, timeoutMs: 120_000 });
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).toMatch(/npm start failed: \w+ exited \(code 1\); its last lines are above/);
  expect(existsSync(path.join(dir, '.env.demo'))).toBe(false);
});

test('when the demo starts with the default worker port busy, then it moves to a free one, says so, and the banner commands work as printed', async () => {
  const blocker = await hold(9464);
  let start: ChildProcess | undefined;
  try {
    let out = '';
    start = spawn(tsx, ['--tsconfig', path.join(REPO_ROOT, 'tsconfig.json'), START], {
      cwd,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => start!.once('exit', r));
    await waitFor(() => out.includes('Ctrl-C stops everything') || start!.exitCode !== null || undefined, {
      what: 'the banner',
      timeoutMs: 240_000,
    });
    expect(out).toContain('Ctrl-C stops everything');

    const moved = /WORKER_METRICS_PORT=(\d+) \(worker; 9464 was busy\)/.exec(out)?.[1];
    expect(moved).toBeDefined();
    expect(out).toContain(`worker     metrics http://127.0.0.1:${moved}/metrics`);
    expect(readFileSync(path.join(cwd, '.env.demo'), 'utf8')).toContain(`WORKER_METRICS_PORT='${moved}'`);

    // The printed commands, run from the same folder with nothing in the environment but PATH: they read .env.demo.
    const bare = { PATH: process.env.PATH, HOME: process.env.HOME };
    const sendWebhook = 'apps/simulators/src/send-webhook.ts';
    expect(out).toContain('  npm run send-webhook\n');
    const lead = await runScript(sendWebhook, [], { env: bare, cwd });
    expect([lead.code, lead.stdout]).toEqual([0, expect.stringContaining('HTTP 202')]);
    expect(out).toContain('npm run send-webhook -- --type order\n');
    const order = await runScript(sendWebhook, ['--type', 'order'], { env: bare, cwd });
    expect([order.code, order.stdout]).toEqual([0, expect.stringContaining('HTTP 202')]);

    const curl = /^ {2}(curl -s -X POST .*\/api\/audit-results .*)$/m.exec(out)?.[1];
    expect(curl).toBeDefined();
    const posted = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', curl!], { cwd, env: bare }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(JSON.parse(posted)).toMatchObject({ accepted: true, queue: 'audit-results' });
    const orderId = /"orderRecordId":"(rec\w+)"/.exec(curl!)?.[1];
    const simPort = /simulators http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    const sim = new SimControlClient(`http://127.0.0.1:${simPort}`);
    const written = await waitFor(
      async () => (await sim.records('dstAuditSim')).find((r) => JSON.stringify(r.fields.Order) === JSON.stringify([orderId])),
      { what: `an Audit Results record linked to ${orderId}`, timeoutMs: 60_000 },
    );
    expect(written.fields['Processing Status']).toBe('Completed');

    const replay = await runScript('apps/dashboard/src/replay-cli.ts', ['jobs', '--since', '1h', '--dry-run'], { env: bare, cwd });
    expect([replay.code, replay.stderr]).toEqual([0, '']);

    start.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (start?.exitCode === null) start.kill('SIGKILL');
    await close(blocker);
  }
});
