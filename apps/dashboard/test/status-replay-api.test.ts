import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { asOperator, asViewer, useTestDashboard } from './build-app';

const t = useTestDashboard();

/** The value of one bridge_queue_jobs series in a Prometheus text answer. */
function queueJobs(metrics: string, queue: string, state: string): number | undefined {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('bridge_queue_jobs{') && l.includes(`queue="${queue}"`) && l.includes(`state="${state}"`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('sync status', () => {
  test('when a failure message holds markup, then the status page escapes it and the JSON carries it', async () => {
    await t.db.aITableSync.create({
      data: {
        recordId: 'recHtml1',
        datasheetId: 'dstLeads1',
        entityType: 'lead',
        syncDirection: 'aitable_to_app',
        syncStatus: 'failed',
        errorMessage: '<script>alert(1)</script> & "x"',
        retryCount: 8,
      },
    });
    const page = await asViewer(request(t.app).get('/status'));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;x&#34;');
    expect(page.text).not.toContain('<script>alert(1)');

    const json = await asViewer(request(t.app).get('/api/status'));
    expect(json.body.syncCounts.lead.failed).toBe(1);
    expect(json.body.recentFailures[0]).toMatchObject({
      recordId: 'recHtml1',
      retryCount: 8,
      errorMessage: '<script>alert(1)</script> & "x"',
    });
  });
});

describe('failed jobs and replay API', () => {
  test('when filters select a failed job, then the list shows it and an operator’s replay runs it to completion', async () => {
    const job = await t.h.failJob('orders', 'recApi1', 'MissionX timeout');
    await t.h.failJob('orders', 'recApi2', 'MissionX timeout');

    const list = await asViewer(request(t.app).get('/api/failed-jobs').query({ queue: 'orders', record: 'recApi1', since: '10m' }));
    expect(list.status).toBe(200);
    expect(list.body.jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);

    const dry = await asOperator(request(t.app).post('/api/replay').send({ queue: 'orders', record: 'recApi1', dryRun: true }));
    expect(dry.body).toMatchObject({ dryRun: true, matched: 1, replayed: 0 });
    expect(await (await t.h.queues.orders.getJob(job.id!))!.getState()).toBe('failed');

    const real = await asOperator(request(t.app).post('/api/replay').send({ queue: 'orders', record: 'recApi1', error: 'timeout' }));
    expect(real.body).toMatchObject({ dryRun: false, matched: 1, replayed: 1, skipped: 0, errors: [] });
    await t.h.waitForState('orders', job.id!, 'completed');
  });

  test('when a replay has no filter, then it is refused unless all=true', async () => {
    const res = await asOperator(request(t.app).post('/api/replay').send({ dryRun: true }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_argument', message: expect.stringMatching(/filter is empty/) });
    expect((await asOperator(request(t.app).post('/api/replay').send({ dryRun: true, all: true }))).status).toBe(200);
  });

  test('when a filter is malformed, then the 400 names the field', async () => {
    const res = await asViewer(request(t.app).get('/api/failed-jobs').query({ since: 'last week' }));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual({ field: 'since' });
  });
});

describe('rejected deliveries API', () => {
  const body = JSON.stringify({
    eventType: 'record.updated',
    datasheetId: 'dstLeads1',
    recordId: 'recDel1',
    record: { fields: { Email: 'ann@example.com' } },
  });

  test('when an operator fixes and replays a rejected delivery, then a job is on the right queue and the row is marked; a viewer may only look', async () => {
    const id = randomUUID();
    await t.db.webhookDelivery.create({
      data: {
        id,
        requestId: 'req-1',
        source: 'aitable',
        outcome: 'rejected',
        reason: 'invalid_json',
        httpStatus: 400,
        contentType: 'application/json',
        rawBody: body.replace('"recDel1"', '"recDel1'),
      },
    });

    const listed = await asViewer(request(t.app).get('/api/deliveries').query({ outcome: 'rejected', reason: 'invalid_json' }));
    expect(listed.body.deliveries).toEqual([expect.objectContaining({ id, hasBody: true, replayedAt: null })]);
    const shown = await asViewer(request(t.app).get(`/api/deliveries/${id}`));
    expect(shown.body).toMatchObject({ rawBodyMasked: true, rawBody: expect.stringContaining('a***@e***.com') });
    for (const action of ['revalidate', 'correct', 'replay']) {
      expect((await asViewer(request(t.app).post(`/api/deliveries/${id}/${action}`).send({ rawBody: body }))).status).toBe(403);
    }

    const before = await asOperator(request(t.app).post(`/api/deliveries/${id}/revalidate`));
    expect(before.body).toMatchObject({ ok: false, reason: 'invalid_json' });
    const corrected = await asOperator(request(t.app).post(`/api/deliveries/${id}/correct`).send({ rawBody: body }));
    expect(corrected.body).toMatchObject({ ok: true, queue: 'leads' });
    const replayed = await asOperator(request(t.app).post(`/api/deliveries/${id}/replay`));
    expect(replayed.body).toEqual({ deliveryId: id, queue: 'leads', jobId: id, duplicate: false });

    expect((await t.h.queues.leads.getJob(id))!.data).toMatchObject({
      kind: 'aitable.event',
      recordId: 'recDel1',
      eventType: 'record.updated',
    });
    const row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ replayJobId: id, replayedAt: expect.any(Date) });
    expect((await asOperator(request(t.app).post(`/api/deliveries/${id}/replay`))).status).toBe(409);
  });

  test('when a delivery id is not a UUID or unknown, then the answer is 400 or 404', async () => {
    expect((await asViewer(request(t.app).get('/api/deliveries/nope'))).status).toBe(400);
    expect((await asViewer(request(t.app).get(`/api/deliveries/${randomUUID()}`))).status).toBe(404);
  });
});

describe('probes', () => {
  test('when jobs are added, then /metrics shows bridge_queue_jobs moving, without a login', async () => {
    const before = await request(t.app).get('/metrics');
    expect(before.status).toBe(200);
    expect(queueJobs(before.text, 'audit-results', 'delayed')).toBe(0);

    // Delayed, so the stand-in workers leave them where they are.
    const payload = (recordId: string) => ({
      kind: 'aitable.event' as const,
      deliveryId: randomUUID(),
      requestId: 'r',
      receivedAt: new Date().toISOString(),
      datasheetId: 'dstAudit1',
      recordId,
    });
    await t.h.queues['audit-results'].add('aitable.event', payload('recM1'), { delay: 60_000 });
    await t.h.queues['audit-results'].add('aitable.event', payload('recM2'), { delay: 60_000 });

    const after = await request(t.app).get('/metrics');
    expect(queueJobs(after.text, 'audit-results', 'delayed')).toBe(2);
    expect(after.text).toMatch(/service="dashboard"/);
  });

  test('when Redis and Postgres answer, then /healthz says so without a login', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, redis: true, postgres: true });
  });
});
