import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, type PrismaClient } from '@bridge/db';
import {
  createTestDatabase,
  runScript,
  startQueueHarness,
  TEST_REDIS_URL,
  type QueueHarness,
  type ScriptRun as Run,
  type TestDatabase,
} from '@bridge/testkit';

/**
 * The runbook's recipes, run as written: every concrete `npm run replay -- …` and
 * `npm run reconcile -- …` command in docs/runbook.md is executed here (placeholders filled in),
 * against a real database and real queues, so a recipe that matches nothing or no longer parses fails.
 */
const ROOT = path.resolve(__dirname, '..');
const SCRIPTS: Record<string, string> = { replay: 'apps/dashboard/src/replay-cli.ts', reconcile: 'apps/worker/src/reconcile-cli.ts' };
jest.setTimeout(120_000);

/** Concrete commands only: the reference lines with `[options]`, `a|b` or `…` are syntax, not recipes. */
const recipes = [...readFileSync(path.join(ROOT, 'docs/runbook.md'), 'utf8').matchAll(/`npm run (replay|reconcile) -- ([^`]+)`/g)]
  .map(([, script, args]) => ({ script: script!, args: args!.trim() }))
  .filter((r) => !/[[|…]/.test(r.args));
const recipe = (script: string, args: string) => {
  const found = recipes.find((r) => r.script === script && r.args === args);
  if (!found) throw new Error(`docs/runbook.md no longer has \`npm run ${script} -- ${args}\`; update this test with it`);
  return found;
};

let tdb: TestDatabase;
let db: PrismaClient;
let h: QueueHarness;
let cwd: string;
const ran = new Set<string>();

function run(script: string, args: string, fill: Record<string, string> = {}, over: NodeJS.ProcessEnv = {}): Promise<Run> {
  ran.add(`${script} -- ${args}`);
  const argv = args.split(/\s+/).map((a) => fill[a] ?? a);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: TEST_REDIS_URL,
    DATABASE_URL: tdb.url,
    QUEUE_PREFIX: h.prefix,
    AITABLE_API_KEY: 'unused',
    AITABLE_LEADS_DATASHEET_ID: 'dstLeads1',
    AITABLE_ORDERS_DATASHEET_ID: 'dstOrders1',
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAudit1',
    ...over,
  };
  return runScript(SCRIPTS[script]!, argv, { env, cwd });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb({ databaseUrl: tdb.url, poolSize: 2 });
  h = startQueueHarness();
  cwd = mkdtempSync(path.join(tmpdir(), 'runbook-'));
});
afterAll(async () => {
  await h.close();
  await db.$disconnect();
  await tdb.drop();
  rmSync(cwd, { recursive: true, force: true });
});

/** A rejected delivery row as ingest stores it; returns its id. */
async function rejected(row: {
  reason: string;
  detail: string;
  httpStatus: number;
  rawBody: string;
  datasheetId?: string;
  recordId?: string;
}): Promise<string> {
  const id = randomUUID();
  await db.webhookDelivery.create({
    data: { id, requestId: `req-${id}`, source: 'aitable', outcome: 'rejected', contentType: 'application/json', ...row },
  });
  return id;
}

test('§4.1: a delivery broken by an unescaped quote is found, shown, corrected and replayed with the runbook commands', async () => {
  const broken =
    '{"eventType":"record.created","datasheetId":"dstLeads1","recordId":"recQuote1","record":{"fields":{"Company":"Say "hi""}}}';
  const id = await rejected({ reason: 'invalid_json', detail: 'Invalid JSON at line 1', httpStatus: 400, rawBody: broken });
  writeFileSync(path.join(cwd, 'fixed.json'), broken.replace('"Say "hi""', '"Say \\"hi\\""'));

  const listed = await run('replay', recipe('replay', 'deliveries list --since 1h').args);
  expect(listed).toMatchObject({ code: 0 });
  expect(listed.stdout).toContain(id);
  for (const step of [
    'deliveries show <id> --show-personal-data',
    'deliveries correct <id> --body-file fixed.json',
    'deliveries replay <id>',
  ]) {
    const r = await run('replay', recipe('replay', step).args, { '<id>': id });
    expect([step, r.code, r.stderr]).toEqual([step, 0, '']);
    // The body to correct is shown as stored, not masked.
    if (step.startsWith('deliveries show')) expect(r.stdout).toContain('"Say "hi""');
  }
  const job = await h.queues.leads.getJob(id);
  expect(job?.data).toMatchObject({ recordId: 'recQuote1', fields: { Company: 'Say "hi"' } });
});

test('§4.1: a delivery for a datasheet missing from the config revalidates and replays once the variable is fixed', async () => {
  const body = '{"eventType":"record.created","datasheetId":"dstNewOrders","recordId":"recOrd9"}';
  const id = await rejected({
    reason: 'unknown_datasheet',
    detail: 'not configured',
    httpStatus: 422,
    rawBody: body,
    datasheetId: 'dstNewOrders',
    recordId: 'recOrd9',
  });
  const fixedConfig = { AITABLE_ORDERS_DATASHEET_ID: 'dstNewOrders' };
  for (const step of ['deliveries revalidate <id>', 'deliveries replay <id>']) {
    const r = await run('replay', recipe('replay', step).args, { '<id>': id }, fixedConfig);
    expect([step, r.code, r.stderr]).toEqual([step, 0, '']);
  }
  expect((await h.queues.orders.getJob(id))?.data).toMatchObject({ datasheetId: 'dstNewOrders', recordId: 'recOrd9' });
});

test('§4.2: failed jobs are listed with their reasons, and `--error unavailable` replays those whose upstream was down', async () => {
  // The form of a real failure reason: the error code first (proved in apps/worker/test/faults.test.ts).
  const down = await h.failJob('leads', 'recDown1', 'missionx_unavailable: MissionX answered 503 on GET /clients');
  const bad = await h.failJob('leads', 'recBad1', 'lead_missing_field: Lead recBad1 has no "Email"');

  const listed = await run('replay', recipe('replay', 'jobs --queue leads --since 1d --dry-run --json').args);
  expect(listed.code).toBe(0);
  const reasons = (JSON.parse(listed.stdout) as { jobs: { id: string; failedReason: string }[] }).jobs.map((j) => [
    j.id,
    j.failedReason.split(':')[0],
  ]);
  expect(reasons).toEqual(
    expect.arrayContaining([
      [down.id, 'missionx_unavailable'],
      [bad.id, 'lead_missing_field'],
    ]),
  );

  h.outage.delete('recDown1');
  const replayed = await run('replay', recipe('replay', 'jobs --error unavailable --since 1d --yes').args);
  expect(replayed.code).toBe(0);
  await h.waitForState('leads', down.id!, 'completed');
  expect(await h.queues.leads.getJobState(bad.id!)).toBe('failed');
});

test('§4.5: the reconcile recipes parse; with Redis unreachable they stop with exit 3 and one line saying so', async () => {
  for (const args of ['--since 2h --dry-run', '--since 2h']) {
    const r = await run('reconcile', recipe('reconcile', args).args, {}, { REDIS_URL: 'redis://127.0.0.1:1' });
    expect([args, r.code, r.stderr.trim()]).toEqual([args, 3, 'cannot reach Redis (REDIS_URL); is it running, and is the URL right?']);
  }
});

test('every concrete recipe in the runbook was run by the tests above (they run in file order)', () => {
  const untested = recipes.map((r) => `${r.script} -- ${r.args}`).filter((c) => !ran.has(c));
  expect(untested).toEqual([]);
});

test('the field table lists exactly the fields the worker maps, with their default names', async () => {
  const { DEFAULT_FIELDS } = await import('@bridge/worker');
  const text = readFileSync(path.join(ROOT, 'docs/runbook.md'), 'utf8');
  const rows = [...text.matchAll(/^\| (Leads|Orders|Audit Results) \| ([^|]+) \| `(\w+)` \|/gm)].map(([, sheet, name, key]) => [
    sheet,
    key,
    name!.trim(),
  ]);
  const sheetOf = { lead: 'Leads', order: 'Orders', audit: 'Audit Results' } as const;
  const expected = Object.entries(DEFAULT_FIELDS).flatMap(([entity, fields]) =>
    Object.entries(fields).map(([key, name]) => [sheetOf[entity as keyof typeof sheetOf], key, name]),
  );
  expect(rows.sort()).toEqual(expected.sort());
});

test('§6: `npm run db:migrate` works in a checkout that was never built (no dist/), and again with nothing left to apply', async () => {
  // A checkout as cloned, with `npm ci` and `npm run db:generate` done: sources, manifests, migrations; no dist/.
  const checkout = mkdtempSync(path.join(tmpdir(), 'checkout-'));
  const empty = await createTestDatabase({ migrate: false });
  try {
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'prisma'])
      cpSync(path.join(ROOT, f), path.join(checkout, f), { recursive: true });
    for (const group of ['packages', 'apps']) {
      cpSync(path.join(ROOT, group), path.join(checkout, group), {
        recursive: true,
        filter: (src) => !/[/\\](dist|node_modules)$/.test(src),
      });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
    const migrate = (): Promise<Run> =>
      new Promise((resolve) => {
        const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: empty.url, LOG_LEVEL: 'warn' };
        execFile('npm', ['run', '--silent', 'db:migrate'], { cwd: checkout, env, timeout: 120_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const count = readdirSync(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).length;
    const first = await migrate();
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toContain(`migrations: ${count} applied, 0 already applied`);
    const again = await migrate();
    expect(again.stdout).toContain(`migrations: 0 applied, ${count} already applied`);
  } finally {
    await empty.drop();
    rmSync(checkout, { recursive: true, force: true });
  }
});
