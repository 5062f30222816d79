import { loadConfig } from '@bridge/config';
import { buildDeps, closeDeps, createApp, INGEST_SECTIONS, warmUp } from '@bridge/ingest';
import request from 'supertest';
import { captureLogs, obliterateQueues } from '@bridge/testkit';
import { deliveryRow, ingestEnv, leadBody, postWebhook, startHarness, type Harness } from './harness';

// A port nothing listens on: connections are refused at once, as when Redis or Postgres is down.
const DEAD_REDIS = 'redis://127.0.0.1:1';
const DEAD_POSTGRES = 'postgresql://postgres@127.0.0.1:1/none';

describe('when Redis does not answer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REDIS_URL: DEAD_REDIS });
  });
  afterAll(() => h.close());

  it('then a valid webhook gets 503 with Retry-After within about a second, never 202', async () => {
    const started = Date.now();
    const res = await postWebhook(h.app, leadBody({ recordId: 'recNoRedis' }));
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.get('Retry-After')).toBe('5');
    expect(res.body).toMatchObject({ error: 'queue_unavailable' });
    // A bound on "never hangs" (the timer is INGEST_REDIS_TIMEOUT_MS = 1000), with room for a busy machine.
    expect(elapsed).toBeLessThan(4000);
  });

  it('then the rejected delivery is recorded with its body so it can be replayed', async () => {
    const body = leadBody({ recordId: 'recReplayMe' });
    const res = await postWebhook(h.app, body);
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({
      outcome: 'rejected',
      reason: 'queue_unavailable',
      httpStatus: 503,
      queue: 'leads',
      rawBody: body,
      recordId: 'recReplayMe',
    });
    // The cause is kept for whoever reads the row: what Redis said, not only that it failed.
    expect(row.detail).toMatch(/\(cause: .+\)$/);
  });

  it('then /readyz answers 503 naming Redis', async () => {
    const res = await request(h.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: 'not_ready',
      message: 'Not ready: redis does not answer',
      details: { redis: 'down', postgres: 'up' },
    });
  });

  it('then /healthz still answers 200: the process lives', async () => {
    expect((await request(h.app).get('/healthz')).status).toBe(200);
  });
});

describe('when Postgres does not answer', () => {
  it('then /readyz answers 503 naming Postgres', async () => {
    const config = loadConfig(ingestEnv(DEAD_POSTGRES), INGEST_SECTIONS);
    const deps = buildDeps(config, { logStream: captureLogs().stream });
    try {
      await warmUp(deps, 2000);
      const res = await request(createApp(deps)).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ message: 'Not ready: postgres does not answer', details: { redis: 'up', postgres: 'down' } });
    } finally {
      await closeDeps(deps);
      // Redis is up here, and the queues wrote their meta keys.
      await obliterateQueues(config.QUEUE_PREFIX);
    }
  });
});

describe('when both answer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('then /readyz answers 200 with both up', async () => {
    const res = await request(h.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', redis: 'up', postgres: 'up' });
  });
});
