/**
 * `npm start`: the whole system on one machine — migrations, then (unless real credentials are
 * configured) the AITable/MissionX simulators, the ingest API, the worker and the dashboard,
 * in one terminal with labelled logs.
 */
import { applyMigrations } from '@bridge/db';
import {
  ConfigError,
  DEFAULT_FIELDS,
  DEMO_ENV_FILE,
  describeRedis,
  loadConfig,
  loadEnvFile,
  redisEndpoints,
  redisTopology,
  sections,
  type RedisTopology,
} from '@bridge/config';
import { DEFAULT_DATASHEET, SimControlClient, sampleFields } from '@bridge/simulators';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localEnvironment } from './start/environment';
import { ensureDatabase, reachable } from './start/preflight';
import { ProcessGroup } from './start/process-group';

const root = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  // `.env` and `.env.demo` live in the working directory, as for every entry point (`npm start` runs at the root).
  loadEnvFile();
  const { env, demo, notes, problems } = await localEnvironment(process.env);

  const redisMode = redisTopologyOrExit(env);
  // Sentinel and Cluster: the first listed node stands for the rest; the processes report the others.
  const first = redisEndpoints(redisMode)[0]!;
  const pg = new URL(env.DATABASE_URL!);
  if (!(await reachable(first.host, first.port))) {
    problems.push(
      `Redis is not answering at ${first.host}:${first.port}. Start it: \`redis-server --daemonize yes\` or \`docker compose -f docker-compose.dev.yml up -d redis\` (or set REDIS_URL).`,
    );
  }
  if (!(await reachable(pg.hostname, Number(pg.port || 5432)))) {
    problems.push(
      `PostgreSQL is not answering at ${pg.host}. Start it: \`pg_ctlcluster <version> main start\` or \`docker compose -f docker-compose.dev.yml up -d postgres\` (or set DATABASE_URL).`,
    );
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }

  await ensureDatabase(env.DATABASE_URL!);
  const { applied } = await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  console.log(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);

  const demoFile = path.resolve(DEMO_ENV_FILE);
  if (demo) {
    // So `npm run replay` / `npm run reconcile` / `npm run send-webhook` in another terminal reach the same demo stack.
    const keys = [...Object.values(sections).flatMap((s) => Object.keys(s)), 'SIMULATORS_PORT'];
    const lines = keys.filter((k) => env[k] !== undefined).map((k) => `${k}='${env[k]!.replace(/'/g, `'\\''`)}'`);
    writeFileSync(
      demoFile,
      `# Written by npm start (demo mode). The npm run CLIs read it after .env (the real environment and .env win).\n${lines.join('\n')}\n`,
    );
  } else {
    // A file left by an earlier demo run would point the CLIs' unset variables at the simulators.
    rmSync(demoFile, { force: true });
  }

  const group = new ProcessGroup(root, env);
  const shutdown = () => void group.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  try {
    if (demo) {
      group.start('simulators', 'apps/simulators/src/main.ts');
      await group.waitForHttp('simulators', `http://127.0.0.1:${env.SIMULATORS_PORT}/__sim/health`);
    }
    group.start('ingest', 'apps/ingest/src/main.ts');
    group.start('worker', 'apps/worker/src/main.ts');
    group.start('dashboard', 'apps/dashboard/src/main.ts');
    await Promise.all([
      group.waitForHttp('ingest', `http://127.0.0.1:${env.INGEST_PORT}/healthz`),
      // 0: a port of the system's choice, unknown here.
      Number(env.WORKER_METRICS_PORT) ? group.waitForHttp('worker', `http://127.0.0.1:${env.WORKER_METRICS_PORT}/healthz`) : undefined,
      group.waitForHttp('dashboard', `http://127.0.0.1:${env.DASHBOARD_PORT}/healthz`),
    ]);
  } catch (err) {
    await group.stop();
    throw err;
  }
  void group.failure.then(async (reason) => {
    console.error(`${reason}; stopping the others`);
    await group.stop();
    process.exit(1);
  });

  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}`;
  const dashboardUrl = `http://127.0.0.1:${env.DASHBOARD_PORT}`;
  const simUrl = `http://127.0.0.1:${env.SIMULATORS_PORT}`;
  // The audit result needs an order that exists in AITable; in the demo, one is added to the simulators.
  const order = demo ? await addSampleOrder(simUrl, env) : undefined;
  const lead = env.AITABLE_LEADS_DATASHEET_ID === DEFAULT_DATASHEET.lead ? '' : ` -- --datasheet ${env.AITABLE_LEADS_DATASHEET_ID}`;
  console.log(
    [
      '',
      'aitable-bridge is running',
      `  ingest     ${ingestUrl}/api/aitable/webhook   (health: ${ingestUrl}/readyz, metrics: ${ingestUrl}/metrics)`,
      `  dashboard  ${dashboardUrl}/admin/queues   sync status: ${dashboardUrl}/status   charts: ${dashboardUrl}/insight`,
      `  worker     metrics http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`,
      `  redis      ${describeRedis(redisMode)}`,
      demo ? `  simulators ${simUrl}  (AITable at /fusion, MissionX at /missionx, control and faults at /__sim)` : '',
      ...notes.map((n) => `  ${n}`),
      '',
      // send-webhook takes the URL and secret from .env, or .env.demo (written above in demo mode).
      'Send a new lead the way an AITable automation does (npm run send-webhook -- --help for the options):',
      `  npm run send-webhook${lead}`,
      demo ? `Then watch the portal appear: curl -s ${simUrl}/__sim/missionx/clients` : '',
      'An order for the newest lead (then its portal is shown on the order): npm run send-webhook -- --type order',
      order
        ? `Post an audit result, as the audit engine does, for ${order} (a sample order added to the simulators; for yours, use the rec… id send-webhook prints):`
        : "Post an audit result, as the audit engine does (orderRecordId: an order's rec… id):",
      // Demo credentials are printed to paste; real ones never are (the shell expands $AUDIT_API_TOKEN).
      `  ${auditResultCurl(ingestUrl, demo ? env.AUDIT_API_TOKEN! : '$AUDIT_API_TOKEN', order ?? 'recXXXXXXXXXX')}`,
      demo ? `npm run replay and npm run reconcile in another terminal reach this stack through ${DEMO_ENV_FILE}.` : '',
      'Ctrl-C stops everything.',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
}

/** An order (linked to a lead) in the simulated Orders datasheet, so the printed audit-result call names one that exists. */
async function addSampleOrder(simUrl: string, env: NodeJS.ProcessEnv): Promise<string> {
  const control = new SimControlClient(simUrl);
  const lead = await control.addRecord(env.AITABLE_LEADS_DATASHEET_ID!, sampleFields('lead'));
  const order = await control.addRecord(env.AITABLE_ORDERS_DATASHEET_ID!, {
    ...sampleFields('order'),
    [DEFAULT_FIELDS.order.lead]: [lead.recordId],
  });
  return order.recordId;
}

/** The Redis mode the variables name; a conflict (two modes) stops here with the config's own message. */
function redisTopologyOrExit(env: NodeJS.ProcessEnv): RedisTopology {
  try {
    return redisTopology(loadConfig(env, []));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/** The audit-results API call the README documents, ready to paste. */
function auditResultCurl(ingestUrl: string, token: string, orderRecordId: string): string {
  const body = {
    auditId: `AUD-${Date.now()}`,
    orderRecordId,
    fileName: 'payroll-march.xlsx',
    uploadDate: new Date().toISOString(),
    employeesProcessed: 120,
    correctionsMade: 7,
    correctedFileUrl: 'https://files.example.com/payroll-march-corrected.xlsx',
    status: 'completed',
  };
  return `curl -s -X POST ${ingestUrl}/api/audit-results -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
