import { createTestDatabase, obliterateQueues, TEST_REDIS_URL, uniquePrefix, waitFor, type TestDatabase } from '@bridge/testkit';
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Docker cannot run on the build machines, so this test runs the Dockerfile's recipe itself: the
 * build stage's build and layout commands, then the runtime stage's RUN lines, read from the
 * Dockerfile, in a temp folder; then the compose migrate command and the image's CMD from there,
 * against the local Postgres and Redis. Only the base image (Node 20) and the build stage's
 * `npm ci` (the checkout's node_modules) are taken from this machine.
 */
const root = path.resolve(__dirname, '..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
const [buildStage = '', runtimeStage = ''] = dockerfile.split(/^FROM .* AS runtime$/m);
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command: string[] }>;
};
// `RUN --mount=... cmd` → `cmd`: BuildKit flags are not part of the command.
const runLines = (stage: string) => [...stage.matchAll(/^RUN (?:--\S+ )*(.+)$/gm)].map((m) => m[1]!);
const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtimeStage)?.[1] ?? '[]') as string[];
const DEV_TOOLS = ['typescript', 'tsx', 'jest', 'ts-jest', 'eslint', 'prisma', 'turbo', 'supertest'];
jest.setTimeout(240_000);

let dir: string;
let tdb: TestDatabase;
const prefix = uniquePrefix('image');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bridge-image-'));
  tdb = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([tdb?.drop(), obliterateQueues(prefix)]);
});

/** Runs a Dockerfile command; the npm cache of this machine stands in for the registry when it can. */
function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): void {
  execSync(command, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, npm_config_prefer_offline: 'true', ...env } });
}

test('when the runtime image is laid out as the Dockerfile says, then ingest starts from dist without dev tools, gets ready and stops on SIGTERM', async () => {
  // Build stage: everything after `npm ci` (done by the checkout) and `db:generate` (npm test does it),
  // with /runtime pointing at the temp folder.
  const build = runLines(buildStage).join(' && ').split(' && ');
  expect(build).toEqual(expect.arrayContaining(['npm run build', 'node scripts/runtime-layout.mjs /runtime']));
  for (const step of build.slice(build.indexOf('npm run build'))) sh(step.replace(' /runtime', ` ${dir}`), root);

  for (const step of runLines(runtimeStage)) sh(step, dir, { NODE_ENV: 'production' });
  expect(DEV_TOOLS.filter((t) => existsSync(path.join(dir, 'node_modules', t)))).toEqual([]);
  expect(existsSync(path.join(dir, 'packages/db/src'))).toBe(false);

  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    INGEST_PORT: '0',
    AITABLE_WEBHOOK_SECRET: 'image-test-secret-0123456789',
    AUDIT_API_TOKEN: 'image-test-audit-token-0123456789',
    AITABLE_LEADS_DATASHEET_ID: 'dstLeadsImage',
    AITABLE_ORDERS_DATASHEET_ID: 'dstOrdersImage',
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAuditImage',
  };
  const migrate = compose.services.migrate!.command;
  execSync(migrate.join(' '), { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });

  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const listening = waitFor(
      () => {
        const line = stdout.split('\n').find((l) => l.includes('"ingest listening"'));
        return line ? (JSON.parse(line) as { port: number }).port : undefined;
      },
      { timeoutMs: 30_000, what: 'ingest to listen' },
    );
    const died = exited.then((code) => Promise.reject(new Error(`ingest exited with ${code}: ${stderr}`)));
    const port = await Promise.race([listening, died]);
    const ready = await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), {
      timeoutMs: 15_000,
      what: '/readyz to answer 200',
    });
    expect(ready).toBe(true);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
