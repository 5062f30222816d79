/**
 * Insight at scale (issue 15.7): 1,000,000 history rows, 300,000 webhook deliveries and 10,000
 * sync conflicts over 30 days (written with generate_series, the rollups built from them in SQL as the migration's
 * backfill does), then 40 viewers opening the 30-day insight page at once: the page's one answer
 * (INSIGHT_PAGE_ANSWER, what public/insight.js asks for) and /healthz per viewer, several rounds. The dashboard runs as its own process
 * (apps/dashboard/src/main.ts) with production settings (its pool of DASHBOARD_DB_POOL_MAX=4, 5 s
 * statement timeout, a scrypt login), so its figures are its own and not this load generator's;
 * each viewer is a browser: a keep-alive agent of at most 6 connections.
 * Besides latencies it prints what does not depend on the machine's load: the dashboard's CPU
 * milliseconds per request. (Postgres queries per answer are not counted: the statistics of a backend that went
 * idle still had not counted its transactions 20 s later here (they are when it disconnects), and the dashboard now keeps
 * its connections open; the sharing they showed is
 * apps/dashboard/test/insight-api.test.ts's.)
 * Baselines from the same run: the same viewers on the empty database (what the process and the
 * machine cost by themselves), and the old path (the raw 30-day funnel and latency queries over
 * "SyncEvent" that the page ran before the rollups), once each.
 * Run: npx tsx bench/insight.ts [historyRows=1000000] [viewers=40] [rounds=5] [--profile DIR]
 * (--profile: the dashboard writes a V8 CPU profile to DIR when it stops.)
 * Needs the local Redis and Postgres (as the tests do). Prints figures; asserts nothing.
 */
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { createDb, rebuildInsightRollups, type PrismaClient } from '@bridge/db';
import { createTestDatabase, obliterateQueues, TEST_REDIS_URL, uniquePrefix } from '@bridge/testkit';
import { hashPassword, INSIGHT_PAGE_ANSWER, INSIGHT_PAGE_APIS as PAGE_APIS } from '@bridge/dashboard';
import { benchCli } from './cli';
import { runBench, startProcess, type Proc } from './stack';

const cli = benchCli(
  `Usage: npx tsx bench/insight.ts [historyRows=1000000] [viewers=40] [rounds=5] [--profile DIR]
The insight page's APIs over <historyRows> history rows (30 days) with <viewers> viewers at once, <rounds>
rounds: latency of the page's one answer and of each API alone. --profile DIR: the dashboard writes a V8 CPU profile to DIR
when it stops. Needs the local Postgres and Redis. Prints figures; asserts nothing.`,
  ['--profile'],
);
const PROFILE_DIR = cli.option('--profile');
const HISTORY_ROWS = cli.count(0, 'historyRows', 1_000_000);
const VIEWERS = cli.count(1, 'viewers', 40);
const ROUNDS = cli.count(2, 'rounds', 5);
const DELIVERIES = Math.round(HISTORY_ROWS * 0.3);
const POOL_MAX = 4;
/** Connections one browser opens to one host (HTTP/1.1). */
const BROWSER_SOCKETS = 6;
const USER = { name: 'bench', password: 'bench-viewer-pass' };

/** 30 days of history: a lead in four of ten rows (a quarter of them retried first), orders and audits linked to leads. */
async function seed(db: PrismaClient): Promise<void> {
  const leads = Math.round(HISTORY_ROWS / 4);
  await db.$executeRawUnsafe(`
    INSERT INTO "AITableSync" ("id", "recordId", "datasheetId", "entityType", "syncDirection", "syncStatus", "metadata", "updatedAt")
    SELECT gen_random_uuid(), 'recO' || g, 'dstO', 'order'::"EntityType", 'aitable_to_app'::"SyncDirection", 'success'::"SyncStatus",
      jsonb_build_object('leadRecordId', 'recL' || (g * 3)), now()
    FROM generate_series(1, ${Math.round(leads / 3)}) g
    UNION ALL
    SELECT gen_random_uuid(), 'audit-' || g, 'dstA', 'audit_result'::"EntityType", 'app_to_aitable'::"SyncDirection", 'success'::"SyncStatus",
      jsonb_build_object('orderRecordId', 'recO' || (g * 2)), now()
    FROM generate_series(1, ${Math.round(leads / 6)}) g`);
  await db.$executeRawUnsafe(`
    INSERT INTO "SyncEvent" ("id", "receivedAt", "finishedAt", "entityType", "queue", "jobId", "recordId", "attempt", "outcome", "result", "errorCode", "manual")
    SELECT gen_random_uuid(), r, r + make_interval(secs => 0.05 + (g % 97) * 0.3 + CASE WHEN g % 500 = 0 THEN 200 ELSE 0 END),
      e::"EntityType", q, 'j' || g, rec, 1 + (g % 3 = 0)::int,
      (CASE WHEN g % 10 = 0 THEN 'retry' WHEN g % 53 = 0 THEN 'failed' ELSE 'success' END)::"SyncEventOutcome",
      CASE WHEN g % 10 = 0 OR g % 53 = 0 THEN NULL WHEN e = 'lead' THEN 'synced' WHEN e = 'order' THEN 'activated' ELSE 'created' END,
      CASE WHEN g % 10 = 0 THEN 'missionx_unavailable' WHEN g % 53 = 0 THEN 'lead_missing_field' END, g % 500 = 0
    FROM generate_series(1, ${HISTORY_ROWS}) g,
      LATERAL (SELECT now() - make_interval(secs => (g::float8 / ${HISTORY_ROWS}) * 30 * 86400) AS r) t,
      LATERAL (SELECT CASE WHEN g % 10 < 6 THEN 'lead' WHEN g % 10 < 9 THEN 'order' ELSE 'audit_result' END AS e) k,
      LATERAL (SELECT CASE k.e WHEN 'lead' THEN 'leads' WHEN 'order' THEN 'orders' ELSE 'audit-results' END AS q,
        CASE k.e WHEN 'lead' THEN 'recL' || (g % ${leads}) WHEN 'order' THEN 'recO' || (g % ${Math.round(leads / 3)})
          ELSE 'audit-' || (g % ${Math.round(leads / 6)}) END AS rec) n`);
  await db.$executeRawUnsafe(`
    INSERT INTO "WebhookDelivery" ("id", "requestId", "source", "outcome", "httpStatus", "reason", "receivedAt")
    SELECT gen_random_uuid(), 'r' || g, 'aitable', (CASE WHEN g % 40 = 0 THEN 'rejected' WHEN g % 15 = 0 THEN 'duplicate' ELSE 'accepted' END)::"DeliveryOutcome",
      CASE WHEN g % 40 = 0 THEN 401 WHEN g % 15 = 0 THEN 200 ELSE 202 END, CASE WHEN g % 40 = 0 THEN 'signature' END,
      now() - make_interval(secs => (g::float8 / ${DELIVERIES}) * 30 * 86400)
    FROM generate_series(1, ${DELIVERIES}) g`);
  // A conflict per 100 history rows (far more than a real org sees): the conflicts chart reads them by detectedAt.
  await db.$executeRawUnsafe(`
    INSERT INTO "SyncConflict" ("id", "detectedAt", "datasheetId", "recordId", "field", "policy", "outcome")
    SELECT gen_random_uuid(), now() - make_interval(secs => (g::float8 / ${Math.round(HISTORY_ROWS / 100)}) * 30 * 86400), 'dstL', 'recL' || g,
      CASE WHEN g % 3 = 0 THEN 'Portal Status' ELSE 'Portal URL' END, CASE WHEN g % 3 = 0 THEN 'manual' ELSE 'bridge-wins' END,
      CASE WHEN g % 3 = 0 THEN 'held' ELSE 'restored' END
    FROM generate_series(1, ${Math.round(HISTORY_ROWS / 100)}) g`);
  // Statistics first: without them the planner takes the fresh tables for empty and joins the links row by row.
  await db.$executeRawUnsafe('ANALYZE');
  await rebuildInsightRollups(db, { timeoutMs: 600_000 });
  await db.$executeRawUnsafe('VACUUM ANALYZE');
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * xs.length) - 1)] ?? NaN;
const ms = (n: number) => `${Math.round(n)} ms`;

function timed(agent: http.Agent, url: string, auth: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers: { authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 }));
    });
    req.on('error', () => resolve({ ms: performance.now() - t0, status: 0 }));
  });
}

interface RoundFigures {
  p50: number;
  p95: number;
  p99: number;
  health95: number;
  cpuMsPerAnswer: number;
}

const apiUrl = (base: string, a: string) => `${base}/api/insight/${a}${a === 'queues' ? '' : '?range=30d'}`;
/** What the page asks for on each load: its one answer, every chart's in it. */
const pageUrl = (base: string) => `${base}/${INSIGHT_PAGE_ANSWER}?range=30d`;

/** The 40 viewers, ROUNDS times at once; prints what they saw and what it cost the dashboard. */
async function viewerRounds(label: string, base: string, auth: string, dashboard: Proc): Promise<RoundFigures> {
  const browsers = Array.from({ length: VIEWERS }, () => new http.Agent({ keepAlive: true, maxSockets: BROWSER_SOCKETS }));
  // One viewer alone first: what each chart's API costs without waiting for the others (this fills the shared
  // answers for 5 s, so the first round starts cold only after that: the wait below).
  const alone: string[] = [];
  for (const a of PAGE_APIS) alone.push(`${a} ${ms((await timed(browsers[0]!, apiUrl(base, a), auth)).ms)}`);
  await new Promise((r) => setTimeout(r, 6000));
  const page: number[] = [];
  const answers: number[] = [];
  const health: number[] = [];
  const statuses = new Map<number, number>();
  const cpu0 = dashboard.cpuSeconds();
  const roundP95: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const from = answers.length;
    const viewers = browsers.map(async (agent) => {
      const v0 = performance.now();
      // As the page does: its one answer (public/insight.js), and /healthz beside it.
      const [hz, r] = await Promise.all([timed(agent, `${base}/healthz`, auth), timed(agent, pageUrl(base), auth)]);
      health.push(hz!.ms);
      answers.push(r!.ms);
      statuses.set(r!.status, (statuses.get(r!.status) ?? 0) + 1);
      page.push(performance.now() - v0);
    });
    await Promise.all(viewers);
    roundP95.push(pct(answers.slice(from), 0.95));
  }
  const cpuMs = (dashboard.cpuSeconds() - cpu0) * 1000;
  const requests = answers.length + health.length;
  browsers.forEach((b) => b.destroy());
  const s503 = statuses.get(503) ?? 0;
  const f: RoundFigures = {
    p50: pct(answers, 0.5),
    p95: pct(answers, 0.95),
    p99: pct(answers, 0.99),
    health95: pct(health, 0.95),
    cpuMsPerAnswer: cpuMs / requests,
  };
  console.log(
    `\n${label}: ${VIEWERS} viewers × ${ROUNDS} rounds on the 30-day page (one answer of ${PAGE_APIS.length} charts per viewer, as the page asks), pool ${POOL_MAX}:`,
  );
  console.log(`  one viewer alone, each chart's own API cold: ${alone.join(', ')}`);
  console.log(`  page answers: p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, p99 ${ms(f.p99)}, max ${ms(Math.max(...answers))}`);
  console.log(`  page answer p95 per round (the first runs every query): ${roundP95.map(ms).join(', ')}`);
  console.log(`  whole page load (the answer and /healthz beside it): p50 ${ms(pct(page, 0.5))}, p95 ${ms(pct(page, 0.95))}`);
  console.log(`  statuses: ${[...statuses].map(([s, n]) => `${s || 'no answer'} ×${n}`).join(', ')}; 503s: ${s503}`);
  console.log(`  /healthz under the same load: p50 ${ms(pct(health, 0.5))}, p95 ${ms(f.health95)}`);
  console.log(
    `  the dashboard process: ${f.cpuMsPerAnswer.toFixed(2)} CPU ms per request (${requests} requests incl. /healthz), ` +
      `machine load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  );
  console.log(`  goal: p95 < 500 ms, 0 × 503 -> ${f.p95 < 500 && s503 === 0 ? 'met' : 'NOT met'}`);
  return f;
}

async function main(): Promise<void> {
  const tdb = await createTestDatabase();
  const seedDb = createDb({ databaseUrl: tdb.url, poolSize: 1, queryTimeoutMs: 600_000 });
  const prefix = uniquePrefix('bench');
  // As production stores logins: scrypt (checked once, then remembered for a while).
  const stored = await hashPassword(USER.password);
  const dashboard = startProcess(
    'apps/dashboard/src/main.ts',
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      AITABLE_LEADS_DATASHEET_ID: 'dstL',
      AITABLE_ORDERS_DATASHEET_ID: 'dstO',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstA',
      DASHBOARD_USERS: `${USER.name}:${stored}:viewer`,
      DASHBOARD_PORT: '0',
      DASHBOARD_DB_POOL_MAX: String(POOL_MAX),
    },
    PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [],
  );
  const listening = String((await dashboard.line('dashboard listening on')).message);
  const base = /http:\/\/[^ ]+/.exec(listening)![0];
  const auth = `Basic ${Buffer.from(`${USER.name}:${USER.password}`).toString('base64')}`;
  try {
    // Baseline: the same viewers on an empty database, what this process and machine cost by themselves.
    const empty = await viewerRounds('baseline, empty database', base, auth, dashboard);

    let t0 = performance.now();
    await seed(seedDb);
    const [sizes] = await seedDb.$queryRawUnsafe<{ events: bigint; rollups: bigint; funnel: bigint }[]>(
      'SELECT (SELECT count(*) FROM "SyncEvent") AS events, (SELECT count(*) FROM "SyncEventRollup") AS rollups, (SELECT count(*) FROM "LeadFunnel") AS funnel',
    );
    console.log(
      `\nseeded ${sizes!.events} history rows, ${DELIVERIES} deliveries, ${Math.round(HISTORY_ROWS / 100)} conflicts -> ${sizes!.rollups} rollup rows, ${sizes!.funnel} funnel rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    // Baseline: the raw 30-day queries the page ran before the rollups, alone on an idle database.
    const since = new Date(Date.now() - 30 * 86_400_000);
    t0 = performance.now();
    await seedDb.$queryRawUnsafe(
      `WITH leads AS (SELECT "recordId" AS lead, min("receivedAt") AS at FROM "SyncEvent" WHERE "entityType" = 'lead' AND "recordId" IS NOT NULL
         GROUP BY 1 HAVING min("receivedAt") >= $1),
       portals AS (SELECT e."recordId" AS lead, min(e."finishedAt") AS at FROM "SyncEvent" e JOIN leads l ON l.lead = e."recordId"
         WHERE e."entityType" = 'lead' AND e."outcome" = 'success' AND e."result" = 'synced' GROUP BY 1)
       SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM portals),
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM p.at - l.at)) FROM portals p JOIN leads l USING (lead))`,
      since,
    );
    const rawFunnel = performance.now() - t0;
    t0 = performance.now();
    await seedDb.$queryRawUnsafe(
      `SELECT date_bin('1 day', "finishedAt", $1::timestamptz), "entityType",
         percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "finishedAt" - "receivedAt")),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "finishedAt" - "receivedAt"))
       FROM "SyncEvent" WHERE "outcome" = 'success' AND "finishedAt" >= $1 GROUP BY 1, 2`,
      since,
    );
    const rawLatency = performance.now() - t0;
    console.log(
      `baseline, old path: the raw 30-day queries over "SyncEvent", one each: funnel ${ms(rawFunnel)}, latency ${ms(rawLatency)}`,
    );

    const full = await viewerRounds(`${HISTORY_ROWS} history rows`, base, auth, dashboard);
    const x = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
    console.log(
      `\n${HISTORY_ROWS} history rows vs the empty database, same process: p50 ${x(full.p50, empty.p50)}, p95 ${x(full.p95, empty.p95)}, ` +
        `p99 ${x(full.p99, empty.p99)}, /healthz p95 ${x(full.health95, empty.health95)}, CPU per request ${x(full.cpuMsPerAnswer, empty.cpuMsPerAnswer)}`,
    );
  } finally {
    dashboard.child.kill('SIGTERM');
    if (dashboard.child.exitCode === null) await new Promise((r) => dashboard.child.once('exit', r));
    await obliterateQueues(prefix);
    await seedDb.$disconnect();
    await tdb.drop();
  }
}

runBench(main);
