import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { insertSyncEvents, type SyncEventRow } from '@bridge/db';
import { waitFor } from '@bridge/testkit';
import { INSIGHT_PAGE_ANSWER, INSIGHT_PAGE_APIS } from '../src';
import { asViewer, useTestDashboard } from './build-app';

const t = useTestDashboard();

describe('insight APIs and assets', () => {
  test('when no login is given, then the page and its APIs answer 401', async () => {
    expect((await request(t.app).get('/insight')).status).toBe(401);
    expect((await request(t.app).get('/api/insight/funnel')).status).toBe(401);
  });

  test("when a viewer asks for the page's one answer, then it holds every chart's API answer, uncached, and the same rules apply", async () => {
    expect((await request(t.app).get(`/${INSIGHT_PAGE_ANSWER}?range=24h`)).status).toBe(401);
    const bad = await asViewer(request(t.app).get(`/${INSIGHT_PAGE_ANSWER}?range=2y`));
    expect([bad.status, JSON.stringify(bad.body).includes('range')]).toEqual([400, true]);
    expect((await asViewer(request(t.app).get(`/${INSIGHT_PAGE_ANSWER}?range=24h&manual=maybe`))).status).toBe(400);

    const whole = await asViewer(request(t.app).get(`/${INSIGHT_PAGE_ANSWER}?range=24h&manual=include`));
    expect(whole.status).toBe(200);
    expect(whole.headers['cache-control']).toContain('no-store');
    expect(Object.keys(whole.body.charts)).toEqual([...INSIGHT_PAGE_APIS]);
    for (const name of INSIGHT_PAGE_APIS) {
      const one = await asViewer(request(t.app).get(`/api/insight/${name}?range=24h&manual=include`));
      // The queues' answer says when Redis was read; two asks may fall on either side of its 5 s.
      if (name === 'queues') expect(one.body.queues).toEqual(whole.body.charts.queues.queues);
      else expect(one.body).toEqual(whole.body.charts[name]);
    }
    expect(whole.body).toMatchObject({ range: '24h', since: whole.body.charts.deliveries.since });
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

  test('when viewers ask again, then they share one answer for a few seconds, and a new delivery shows once that has passed', async () => {
    const accepted = async () => {
      const body = (await asViewer(request(t.app).get('/api/insight/deliveries?range=1h'))).body as {
        series: { name: string; values: (number | null)[] }[];
      };
      return (body.series.find((x) => x.name === 'accepted')?.values ?? []).reduce<number>((a, v) => a + (v ?? 0), 0);
    };
    const before = await accepted();
    await t.db.webhookDelivery.create({
      data: { id: randomUUID(), requestId: 'r-reuse', source: 'aitable', outcome: 'accepted', httpStatus: 202 },
    });
    // No timing asserted: only that the shared answer is let go of.
    await waitFor(async () => (await accepted()) === before + 1 || undefined, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the new delivery in the chart',
    });
  });

  test('when history rows were written, then the charts read from the rollups give the counts of the rows and percentiles within 19%', async () => {
    // Latencies from 3 ms to 3 h, in the hour before now, on two queues and three error codes.
    const now = Date.now();
    const rows: SyncEventRow[] = Array.from({ length: 200 }, (_, i) => {
      const finishedAt = new Date(now - 60_000 - ((i * 7919) % 3_000_000));
      const success = i % 4 !== 0;
      return {
        id: randomUUID(),
        receivedAt: new Date(finishedAt.getTime() - Math.round(3 * 1.07 ** i)),
        finishedAt,
        entityType: i % 3 === 0 ? 'order' : 'lead',
        queue: i % 3 === 0 ? 'orders' : 'leads',
        jobId: `j${i}`,
        recordId: `recApi${i % 17}`,
        attempt: 1,
        outcome: success ? 'success' : i % 8 === 0 ? 'failed' : 'retry',
        result: success ? 'synced' : undefined,
        errorCode: success ? undefined : ['missionx_unavailable', 'aitable_not_found', 'lead_missing_field'][i % 3],
      };
    });
    await insertSyncEvents(t.db, rows);
    const get = async (p: string) => (await asViewer(request(t.app).get(p)).expect(200)).body as Record<string, unknown>;
    const total = (body: Record<string, unknown>, name: string) =>
      (body.series as { name: string; values: (number | null)[] }[])
        .find((x) => x.name === name)!
        .values.reduce<number>((a, v) => a + (v ?? 0), 0);

    const exact = await t.db.$queryRaw<{ code: string | null; queue: string; outcome: string; n: bigint }[]>`
      SELECT "errorCode" AS code, "queue", "outcome"::text AS outcome, count(*) AS n FROM "SyncEvent" WHERE "jobId" LIKE 'j%' GROUP BY 1, 2, 3`;
    const count = (f: (x: (typeof exact)[number]) => boolean) => exact.filter(f).reduce((a, x) => a + Number(x.n), 0);
    for (const range of ['1h', '24h']) {
      const errors = await get(`/api/insight/errors?range=${range}`);
      for (const code of ['missionx_unavailable', 'aitable_not_found', 'lead_missing_field'])
        expect(total(errors, code)).toBe(count((x) => x.code === code));
      const completed = await get(`/api/insight/completed?range=${range}`);
      for (const queue of ['leads', 'orders'])
        expect(total(completed, queue)).toBe(count((x) => x.queue === queue && x.outcome === 'success'));
      const codes = (await get(`/api/insight/error-codes?range=${range}`)).codes as { code: string; queue: string; attempts: number }[];
      expect(codes.reduce((a, c) => a + c.attempts, 0)).toBe(count((x) => x.outcome !== 'success'));
    }
    const latency = await get('/api/insight/latency?range=1h');
    expect(total(latency, 'lead successes')).toBe(rows.filter((r) => r.outcome === 'success' && r.entityType === 'lead').length);
    // Per day of the 30-day view (the rows may straddle midnight): p50/p95 against the exact ones over the same rows.
    const day = await get('/api/insight/latency?range=30d');
    const exactByDay = await t.db.$queryRaw<{ bucket: Date; p50: number; p95: number }[]>`
      SELECT date_bin('1 day', "finishedAt", ${new Date(String(day.since))}::timestamptz) AS bucket,
        percentile_disc(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "finishedAt" - "receivedAt")) AS p50,
        percentile_disc(0.95) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "finishedAt" - "receivedAt")) AS p95
      FROM "SyncEvent" WHERE "jobId" LIKE 'j%' AND "outcome" = 'success' AND "entityType" = 'lead' GROUP BY 1`;
    const series = (name: string) => (day.series as { name: string; values: (number | null)[] }[]).find((x) => x.name === name)!.values;
    const buckets = day.buckets as string[];
    for (const e of exactByDay) {
      const i = buckets.indexOf(e.bucket.toISOString());
      expect(Math.abs(series('lead p50')[i]! / Number(e.p50) - 1)).toBeLessThanOrEqual(0.19);
      expect(Math.abs(series('lead p95')[i]! / Number(e.p95) - 1)).toBeLessThanOrEqual(0.19);
    }
    expect(exactByDay.length).toBeGreaterThan(0);
  });

  test('when the latency toggle or a funnel stage is not one the API knows, then it answers 400 naming the field', async () => {
    const manual = await asViewer(request(t.app).get('/api/insight/latency?manual=maybe'));
    expect([manual.status, manual.body.details?.field ?? JSON.stringify(manual.body)]).toEqual([400, expect.stringContaining('manual')]);
    const stage = await asViewer(request(t.app).get('/api/insight/funnel/stuck?stage=leads'));
    expect(stage.status).toBe(400);
    expect(JSON.stringify(stage.body)).toContain('stage');
  });

  test('when the status page is opened, then it shows the size of each table retention keeps bounded', async () => {
    const page = await asViewer(request(t.app).get('/status'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2>Table sizes</h2>');
    expect(page.text).toMatch(/<td>SyncEvent<\/td><td>\d+<\/td><td>[\d.]+ (B|KiB|MiB)<\/td>/);
  });
});
