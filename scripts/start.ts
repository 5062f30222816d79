/**
 * `npm start`: the whole system on one machine — migrations, then (unless real credentials are
 * configured) the AITable/MissionX simulators, the ingest API, the worker and the dashboard,
 * in one terminal with labelled logs.
 */
import { applyMigrations } from '@bridge/db';
import { ConfigError, describeRedis, loadConfig, redisEndpoints, redisTopology, sections, type RedisTopology } from '@bridge/config';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localEnvironment } from './start/environment';
import { ensureDatabase, reachable } from './start/preflight';
import { ProcessGroup } from './start/process-group';

const root = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
  const { env, demo, notes } = localEnvironment(process.env);

  const redisMode = redisTopologyOrExit(env);
  // Sentinel and Cluster: the first listed node stands for the rest; the processes report the others.
  const first = redisEndpoints(redisMode)[0]!;
  const pg = new URL(env.DATABASE_URL!);
  const problems: string[] = [];
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

  if (demo) {
    // So `npm run replay` / `npm run reconcile` in another terminal can reach the same demo stack.
    const keys = Object.values(sections).flatMap((s) => Object.keys(s));
    const lines = keys.filter((k) => env[k] !== undefined).map((k) => `${k}='${env[k]!.replace(/'/g, `'\\''`)}'`);
    writeFileSync(
      path.join(root, '.env.demo'),
      `# Written by npm start (demo mode); not read by anything on its own.\n${lines.join('\n')}\n`,
    );
  }

  const group = new ProcessGroup(root, env);
  const shutdown = () => void group.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  if (demo) {
    group.start('simulators', 'apps/simulators/src/main.ts');
    await group.waitForHttp('simulators', `http://127.0.0.1:${env.SIMULATORS_PORT}/__sim/health`);
  }
  group.start('ingest', 'apps/ingest/src/main.ts');
  group.start('worker', 'apps/worker/src/main.ts');
  group.start('dashboard', 'apps/dashboard/src/main.ts');
  await Promise.all([
    group.waitForHttp('ingest', `http://127.0.0.1:${env.INGEST_PORT}/healthz`),
    group.waitForHttp('dashboard', `http://127.0.0.1:${env.DASHBOARD_PORT}/healthz`),
  ]);

  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}`;
  // Demo credentials are printed to paste; real ones never are.
  const secret = demo ? env.AITABLE_WEBHOOK_SECRET!.split(',')[0] : '$AITABLE_WEBHOOK_SECRET';
  const dashboardUrl = `http://127.0.0.1:${env.DASHBOARD_PORT}`;
  console.log(
    [
      '',
      'aitable-bridge is running',
      `  ingest     ${ingestUrl}/api/aitable/webhook   (health: ${ingestUrl}/readyz, metrics: ${ingestUrl}/metrics)`,
      `  dashboard  ${dashboardUrl}/admin/queues   sync status: ${dashboardUrl}/status   charts: ${dashboardUrl}/insight`,
      `  worker     metrics http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`,
      `  redis      ${describeRedis(redisMode)}`,
      demo ? `  simulators http://127.0.0.1:${env.SIMULATORS_PORT}  (AITable at /fusion, MissionX at /missionx, control at /__sim)` : '',
      ...notes.map((n) => `  ${n}`),
      '',
      'Send a new lead the way an AITable automation does:',
      `  npm run send-webhook -- --url ${ingestUrl}/api/aitable/webhook --secret '${secret}' --datasheet ${env.AITABLE_LEADS_DATASHEET_ID}`,
      demo ? `Then watch the portal appear: curl -s http://127.0.0.1:${env.SIMULATORS_PORT}/__sim/missionx/clients` : '',
      `An order for the newest lead (then its portal is shown on the order): npm run send-webhook -- --type order --secret '${secret}'`,
      "Post an audit result for an order, as the audit engine does (orderRecordId: the order's rec… id, printed by send-webhook):",
      // Demo credentials are printed to paste; real ones never are.
      `  ${auditResultCurl(ingestUrl, demo ? env.AUDIT_API_TOKEN! : '$AUDIT_API_TOKEN')}`,
      demo ? 'For npm run replay / npm run reconcile in another terminal: set -a && . ./.env.demo && set +a' : '',
      'Ctrl-C stops everything.',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
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
function auditResultCurl(ingestUrl: string, token: string): string {
  const body = {
    auditId: 'AUD-0001',
    orderRecordId: 'recXXXXXXXXXX',
    fileName: 'payroll-march.xlsx',
    uploadDate: new Date().toISOString(),
    employeesProcessed: 120,
    correctionsMade: 7,
    correctedFileUrl: 'https://files.example.com/payroll-march-corrected.xlsx',
    status: 'completed',
  };
  return `curl -s -X POST ${ingestUrl}/api/audit-results -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
