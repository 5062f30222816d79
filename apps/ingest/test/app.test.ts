import { createLogger } from '@bridge/logger';
import { captureLogs } from '@bridge/testkit';
import express from 'express';
import request from 'supertest';
import { signHmac } from '@bridge/webhooks';
import { errorHandler } from '../src/errors';
import { AUDIT_TOKEN, leadBody, postWebhook, SECRET, SHEETS, startHarness, type Harness } from './harness';

describe('ingest app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ AITABLE_WEBHOOK_AUTH: 'hmac' });
  });
  afterAll(() => h.close());

  it('when /healthz is asked, then 200', async () => {
    const res = await request(h.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when the webhook endpoint is read with GET without credentials, then it answers only that it is up', async () => {
    for (const headers of [{}, { 'X-AITable-Signature': 'a-guess-of-the-secret-0000' }]) {
      const res = await request(h.app).get('/api/aitable/webhook').set(headers);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
    }
  });

  it('when the webhook endpoint is read with GET and the signature of the empty body, then it tells its auth mode and datasheets and no secret', async () => {
    const res = await request(h.app).get('/api/aitable/webhook').set('X-AITable-Signature', signHmac(SECRET, ''));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: true,
      status: 'ok',
      method: 'POST',
      auth: { mode: 'hmac', header: 'X-AITable-Signature', standardWebhooks: true, secretsConfigured: 1 },
      datasheets: SHEETS,
    });
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain(AUDIT_TOKEN);
  });

  it('when any answer is sent, then helmet headers are set and X-Powered-By is not', async () => {
    const res = await request(h.app).get('/healthz');
    expect(res.get('X-Powered-By')).toBeUndefined();
    expect(res.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.get('Content-Security-Policy')).toBeDefined();
  });

  it('when a JSON answer is sent, then no cache may keep it', async () => {
    for (const path of ['/healthz', '/api/aitable/webhook', '/nope']) {
      expect((await request(h.app).get(path)).get('Cache-Control')).toBe('no-store');
    }
    const refused = await postWebhook(h.app, leadBody({ recordId: 'recNoStore' }), { 'X-AITable-Signature': 'f'.repeat(64) });
    expect(refused.status).toBe(401);
    expect(refused.get('Cache-Control')).toBe('no-store');
  });

  it('when a route does not exist, then a JSON 404', async () => {
    const res = await request(h.app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'No route for GET /nope' });
  });

  it('when deliveries were received, then /metrics counts them by outcome for Prometheus', async () => {
    await postWebhook(h.app, leadBody({ recordId: 'recMetrics' }));
    const res = await request(h.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.get('Content-Type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/bridge_webhook_deliveries_total\{[^}]*source="aitable"[^}]*outcome="accepted"[^}]*queue="leads"[^}]*\} 1/);
  });
});

describe('errorHandler', () => {
  it('when an unknown error is thrown, then a generic 500 without its message, and the log keeps it', async () => {
    const { lines, stream } = captureLogs();
    const app = express();
    app.get('/boom', () => {
      throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    });
    app.use(errorHandler(createLogger({ service: 'test', format: 'json', stream })));
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal_error', message: 'Internal server error' });
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(lines.find((l) => l.message === 'unexpected error')).toBeDefined();
  });

  it('when a malformed request trips Express itself, then a 4xx, not a 500', async () => {
    const app = express();
    app.use(express.json());
    app.post('/x', (_req, res) => res.json({}));
    app.use(errorHandler(createLogger({ service: 'test', format: 'json', stream: captureLogs().stream })));
    const res = await request(app).post('/x').set('Content-Type', 'application/json').send('{bad');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'bad_request' });
  });
});
