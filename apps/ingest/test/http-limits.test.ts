import type { RunningIngest } from '@bridge/ingest';
import { createTestDatabase, obliterateQueues, stallRequest, type TestDatabase } from '@bridge/testkit';
import { startServer } from './harness';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe('ingest HTTP limits and /metrics access', () => {
  let database: TestDatabase;
  let running: RunningIngest | undefined;
  let prefix: string;

  async function start(over: Record<string, string>) {
    const started = await startServer(database.url, over);
    ({ running, prefix } = started);
    return started.running;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await running?.shutdown('test end');
    running = undefined;
    await obliterateQueues(prefix);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('when a webhook announces 1000 bytes and sends 5, then it is answered 408 and closed within the timeout, and counted', async () => {
    const { port, url } = await start({ HTTP_REQUEST_TIMEOUT_MS: '300', HTTP_HEADERS_TIMEOUT_MS: '300' });
    const answer = await stallRequest(port, { path: '/api/aitable/webhook', deadlineMs: 5000 });
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/bridge_http_timeouts_total\{phase="body",service="ingest"\} 1/);
  });

  it('when METRICS_TOKEN is set, then /metrics answers 401 without it or with a wrong one, and 200 with it', async () => {
    const { url } = await start({ METRICS_TOKEN });
    const without = await fetch(`${url}/metrics`);
    expect(without.status).toBe(401);
    expect(await without.json()).toEqual({
      error: 'unauthorized',
      message: '/metrics needs the header Authorization: Bearer <METRICS_TOKEN>.',
    });
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/does not match METRICS_TOKEN/);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/bridge_webhook_deliveries_total/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('when INGEST_METRICS_PORT is set, then /metrics is served there and not on the main port', async () => {
    const { url, metricsPort } = await start({ INGEST_METRICS_PORT: '0' });
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const separate = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(separate.status).toBe(200);
    expect(await separate.text()).toMatch(/bridge_webhook_deliveries_total/);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/aitable/webhook`)).status).toBe(404);
  });
});
