import { loadConfig } from '@bridge/config';
import { captureLogs, obliterateQueues, stallRequest, TEST_REDIS_URL, uniquePrefix } from '@bridge/testkit';
import { DASHBOARD_SECTIONS, startDashboard, type RunningDashboard } from '../src/server';
import { DATASHEETS, OPERATOR } from './build-app';

const METRICS_TOKEN = 'metrics-token-0123456789';
const login = `Basic ${Buffer.from(`${OPERATOR.name}:${OPERATOR.password}`).toString('base64')}`;

const prefixes: string[] = [];

/** The dashboard as `npm run start:dashboard` runs it; nothing here queries Postgres. */
async function start(over: Record<string, string> = {}) {
  const prefix = uniquePrefix('dash');
  prefixes.push(prefix);
  const env = {
    NODE_ENV: 'test',
    LOG_FORMAT: 'json',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    AITABLE_LEADS_DATASHEET_ID: DATASHEETS.leads,
    AITABLE_ORDERS_DATASHEET_ID: DATASHEETS.orders,
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: DATASHEETS.auditResults,
    DASHBOARD_USERS: `${OPERATOR.name}:${OPERATOR.password}:operator`,
    ...over,
  };
  const { lines, stream } = captureLogs();
  const running = await startDashboard(loadConfig(env, DASHBOARD_SECTIONS), { port: 0, host: '127.0.0.1', logStream: stream });
  return { running, lines, url: `http://127.0.0.1:${running.port}` };
}

describe('dashboard server', () => {
  let running: RunningDashboard | undefined;
  afterEach(async () => {
    await running?.shutdown();
    running = undefined;
    // Its queues wrote their meta keys on start: removed, so the developer's Redis is left as found.
    await Promise.all(prefixes.splice(0).map(obliterateQueues));
  });

  test('when a logged-in client announces 1000 bytes and sends 5, then it is answered 408 and closed within the timeout, and counted', async () => {
    const s = await start({ HTTP_REQUEST_TIMEOUT_MS: '300', HTTP_HEADERS_TIMEOUT_MS: '300' });
    running = s.running;
    const answer = await stallRequest(running.port, { path: '/api/replay', headers: { Authorization: login }, deadlineMs: 5000 });
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(await (await fetch(`${s.url}/metrics`)).text()).toMatch(/bridge_http_timeouts_total\{phase="body",service="dashboard"\} 1/);
  });

  test('when production is configured with a plain password, then one warning names the entry at start and the login still works', async () => {
    const s = await start({ NODE_ENV: 'production' });
    running = s.running;
    const warnings = s.lines.filter((l) => l.level === 'warn' && /plain-text password in production/.test(l.message));
    expect(warnings.map((l) => l.message)).toEqual([expect.stringContaining('DASHBOARD_USERS entry 1 (user "olga")')]);
    expect(JSON.stringify(s.lines)).not.toContain(OPERATOR.password);
    expect((await fetch(`${s.url}/api/failed-jobs?queue=leads`, { headers: { authorization: login } })).status).toBe(200);
  });

  test('when METRICS_TOKEN is set, then /metrics answers 401 without it and 200 with it, without a dashboard login', async () => {
    const s = await start({ METRICS_TOKEN });
    running = s.running;
    const without = await fetch(`${s.url}/metrics`);
    expect(without.status).toBe(401);
    expect(((await without.json()) as { message: string }).message).toMatch(/Authorization: Bearer <METRICS_TOKEN>/);
    const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/bridge_queue_jobs\{queue="leads",state="failed"/);
  });

  test('when DASHBOARD_METRICS_PORT is set, then /metrics is served there and not on the main port, even to a login', async () => {
    const s = await start({ DASHBOARD_METRICS_PORT: '0' });
    running = s.running;
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: login } })).status).toBe(404);
    const separate = await fetch(`http://127.0.0.1:${running.metricsPort}/metrics`);
    expect(separate.status).toBe(200);
    expect(await separate.text()).toMatch(/bridge_queue_jobs/);
  });
});
