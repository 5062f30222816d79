import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { asViewer, useTestDashboard } from './build-app';

const t = useTestDashboard();

describe('insight APIs and assets', () => {
  test('when no login is given, then the page and its APIs answer 401', async () => {
    expect((await request(t.app).get('/insight')).status).toBe(401);
    expect((await request(t.app).get('/api/insight/funnel')).status).toBe(401);
  });

  test('when the range is not one the page offers, then the API answers 400 naming the field', async () => {
    const res = await asViewer(request(t.app).get('/api/insight/deliveries?range=2y'));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('range');
  });

  test('when the page is served, then its scripts come from our origin under a CSP without inline scripts', async () => {
    const page = await asViewer(request(t.app).get('/insight?range=7d'));
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(page.text).not.toMatch(/<script>|<style|style="|https?:\/\//);
    const chart = await asViewer(request(t.app).get('/insight-assets/chart.umd.min.js'));
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toMatch(/javascript/);
    expect(chart.text).toContain('Chart');
    expect((await asViewer(request(t.app).get('/insight-assets/..%2Fpackage.json'))).status).toBe(404);
  });

  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'nope.js'])(
    'when the asset %s is asked for, then 404, not 500',
    async (name) => {
      const res = await asViewer(request(t.app).get(`/insight-assets/${name}`));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'not_found' });
    },
  );

  test('when a delivery was stored then /metrics gives the last-received time, and the oldest waiting age of every queue', async () => {
    const receivedAt = new Date('2026-01-02T03:04:05Z');
    await t.db.webhookDelivery.create({
      data: { id: randomUUID(), requestId: 'r', source: 'aitable', outcome: 'accepted', httpStatus: 202, receivedAt },
    });
    const text = (await request(t.app).get('/metrics')).text;
    expect(text).toContain(
      `bridge_webhook_last_received_timestamp_seconds{outcome="accepted",service="dashboard"} ${receivedAt.getTime() / 1000}`,
    );
    for (const queue of ['leads', 'orders', 'audit-results']) {
      expect(text).toMatch(new RegExp(`bridge_queue_oldest_waiting_seconds\\{queue="${queue}",service="dashboard"\\} \\d+`));
    }
  });

  test('when the status page is opened, then it shows the size of each table retention keeps bounded', async () => {
    const page = await asViewer(request(t.app).get('/status'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2>Table sizes</h2>');
    expect(page.text).toMatch(/<td>SyncEvent<\/td><td>\d+<\/td><td>[\d.]+ (B|KiB|MiB)<\/td>/);
  });
});
