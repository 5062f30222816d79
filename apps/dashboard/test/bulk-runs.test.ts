import { randomUUID } from 'node:crypto';
import type { BulkRunner, BulkRunView } from '@bridge/ops';
import { waitFor } from '@bridge/testkit';
import { addLead, createHarness, DS, type Harness } from '@bridge/worker/testing';
import type { Express } from 'express';
import request from 'supertest';
import { asOperator, asViewer } from './build-app';
import { bulkDashboard, bulkRunnerFor } from './bulk-dashboard';

jest.setTimeout(120_000);

const LEADS = 40;
let h: Harness;
let runner: BulkRunner;
let app: Express;
const leadIds: string[] = [];

const HOST = 'dash.internal:3001';
const post = (url: string, body: object = {}) => asOperator(request(app).post(url)).set('Host', HOST).send(body);
const runOf = async (id: string): Promise<BulkRunView> => (await asOperator(request(app).get(`/api/bulk-runs/${id}`))).body as BulkRunView;
const ended = (id: string) =>
  waitFor(
    async () => {
      const run = await runOf(id);
      return run.status === 'running' ? undefined : run;
    },
    { timeoutMs: 90_000, what: `bulk run ${id} to end` },
  );

beforeAll(async () => {
  h = await createHarness();
  for (let i = 0; i < LEADS; i++) leadIds.push(await addLead(h, { Email: `b${i}@bulk${i}.example`, 'Client Name': `Bulk ${i}` }));
  runner = bulkRunnerFor(h, { BACKFILL_PAGE_SIZE: '10', BACKFILL_CHUNK_SIZE: '5' });
  app = bulkDashboard(h, runner);
});
afterAll(async () => {
  await runner?.close();
  await h?.close();
});
afterEach(async () => {
  await h.sim.control.setLatency('aitable', 0);
});

describe('bulk runs: who may do what', () => {
  test('when a viewer opens the page and calls the API, then they see the runs, no buttons, and every action is refused with 403', async () => {
    const page = await asViewer(request(app).get('/bulk-runs'));
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/start-run|<button/);
    expect(page.text).toContain('data-operator="false"');
    expect((await asViewer(request(app).get('/api/bulk-runs'))).status).toBe(200);
    const start = await asViewer(request(app).post('/api/bulk-runs')).send({ kind: 'backfill', datasheet: 'leads' });
    expect(start.status).toBe(403);
    const cancel = await asViewer(request(app).post(`/api/bulk-runs/${randomUUID()}/cancel`)).send({});
    expect(cancel.status).toBe(403);
    const restart = await asViewer(request(app).post(`/api/bulk-runs/${randomUUID()}/restart`)).send({});
    expect(restart.status).toBe(403);
    expect(await h.prisma.bulkRun.count()).toBe(0);
  });

  test('when an operator opens the page, then it has the start panel and no HTML form', async () => {
    const page = await asOperator(request(app).get('/bulk-runs'));
    expect(page.text).toContain('id="start-run"');
    expect(page.text).toContain('data-operator="true"');
    expect(page.text).not.toMatch(/<form/i);
  });

  test.each([
    ['Origin of another site', { Origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
  ])('when a start or a cancel comes with %s, then it is refused with 403 and nothing runs', async (_, headers) => {
    const start = await post('/api/bulk-runs', { kind: 'backfill', datasheet: 'leads' }).set(headers);
    expect({ status: start.status, error: start.body.error }).toEqual({ status: 403, error: 'cross_site_request' });
    const cancel = await post(`/api/bulk-runs/${randomUUID()}/cancel`).set(headers);
    expect({ status: cancel.status, error: cancel.body.error }).toEqual({ status: 403, error: 'cross_site_request' });
    expect(await h.prisma.bulkRun.count()).toBe(0);
  });

  test.each([
    [{ datasheet: 'leads' }, 'kind'],
    [{ kind: 'backfill', datasheet: 'customers' }, 'datasheet'],
    [{ kind: 'backfill', datasheet: 'leads', where: '' }, 'where'],
    [{ kind: 'backfill', datasheet: 'leads', errorCode: 'aitable_unavailable' }, 'errorCode'],
    [{ kind: 'resync', datasheet: 'leads', since: 'last tuesday' }, 'since'],
    [{ kind: 'resync', datasheet: 'leads', since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' }, 'until'],
    [{ kind: 'resync', datasheet: 'leads', recordIds: ['recOk1', 'not-a-record'] }, 'recordIds.1'],
    [{ kind: 'resync', datasheet: 'leads', recordIds: [] }, 'recordIds'],
    [{ kind: 'backfill', datasheet: 'leads', limit: 5 }, 'limit'],
  ])('when the body is %j, then the answer is 400 naming %s', async (body, field) => {
    const res = await post('/api/bulk-runs', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_argument', details: { field } });
    expect(res.body.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
  });

  test('when the run id is unknown, then reading, cancelling and restarting it answer 404', async () => {
    expect((await asOperator(request(app).get(`/api/bulk-runs/${randomUUID()}`))).status).toBe(404);
    expect((await asOperator(request(app).get('/api/bulk-runs/not-a-uuid'))).status).toBe(404);
    expect((await post(`/api/bulk-runs/${randomUUID()}/cancel`)).status).toBe(404);
    expect((await post(`/api/bulk-runs/${randomUUID()}/restart`)).status).toBe(404);
  });
});

describe('bulk runs: running', () => {
  test('when an operator starts a backfill and cancels it mid-run, then it stops at a checkpoint; a restart resumes there and completes, and both runs are recorded', async () => {
    await h.sim.control.setLatency('aitable', 150);
    const start = await post('/api/bulk-runs', { kind: 'backfill', datasheet: 'leads' });
    expect(start.status).toBe(201);
    const first = start.body as BulkRunView;
    expect(first).toMatchObject({ status: 'running', startedBy: 'olga', kind: 'backfill', datasheet: 'leads' });

    const second = await post('/api/bulk-runs', { kind: 'resync', datasheet: 'leads', recordIds: [leadIds[0]] });
    expect(second.status).toBe(409);
    expect(second.body.error).toBe('bulk_run_running');

    await waitFor(async () => ((await runOf(first.id)).done > 0 ? true : undefined), { timeoutMs: 60_000, what: 'the first progress' });
    const cancel = await post(`/api/bulk-runs/${first.id}/cancel`);
    expect(cancel.status).toBe(200);
    const cancelled = await ended(first.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelledBy: 'olga' });
    expect(cancelled.done).toBeGreaterThan(0);
    expect(cancelled.done).toBeLessThan(LEADS);
    expect((await post(`/api/bulk-runs/${first.id}/cancel`)).status).toBe(409);

    await h.sim.control.setLatency('aitable', 0);
    const restart = await post(`/api/bulk-runs/${first.id}/restart`);
    expect(restart.status).toBe(201);
    const resumed = restart.body as BulkRunView;
    expect(resumed.restartOf).toBe(first.id);
    // From the checkpoint the cancelled run left, not from zero.
    expect(resumed.done).toBeGreaterThanOrEqual(cancelled.done);
    const done = await ended(resumed.id);
    expect(done).toMatchObject({ status: 'completed', total: LEADS, done: LEADS, failed: 0 });
    expect(done.counts.enqueued).toBe(LEADS);
    expect(await h.queues.leads.getJobCountByTypes('prioritized')).toBe(LEADS);

    const list = (await asViewer(request(app).get('/api/bulk-runs'))).body as { available: boolean; runs: BulkRunView[] };
    expect(list.available).toBe(true);
    expect(list.runs.map((r) => [r.id, r.status])).toEqual([
      [resumed.id, 'completed'],
      [first.id, 'cancelled'],
    ]);
    const rows = await h.prisma.bulkRun.findMany({ orderBy: { startedAt: 'asc' } });
    expect(rows.map((r) => ({ by: r.startedBy, status: r.status, finished: r.finishedAt !== null }))).toEqual([
      { by: 'olga', status: 'cancelled', finished: true },
      { by: 'olga', status: 'completed', finished: true },
    ]);
  });

  test('when a re-sync selects records by error code and time range, or by ids, then it examines exactly those', async () => {
    const failedAt = new Date(Date.now() - 3600_000);
    const failed = (recordId: string, errorCode: string, finishedAt = failedAt) => ({
      id: randomUUID(),
      receivedAt: finishedAt,
      finishedAt,
      entityType: 'lead' as const,
      queue: 'leads',
      jobId: randomUUID(),
      datasheetId: DS.leads,
      recordId,
      attempt: 4,
      outcome: 'failed' as const,
      errorCode,
    });
    await h.prisma.syncEvent.createMany({
      data: [
        failed(leadIds[1]!, 'aitable_unavailable'),
        failed(leadIds[2]!, 'aitable_unavailable'),
        failed(leadIds[3]!, 'missionx_unavailable'),
        failed(leadIds[4]!, 'aitable_unavailable', new Date(Date.now() - 3 * 86_400_000)),
      ],
    });
    const byCode = await post('/api/bulk-runs', { kind: 'resync', datasheet: 'leads', errorCode: 'aitable_unavailable', since: '1d' });
    expect(byCode.status).toBe(201);
    expect(byCode.body.recordIdCount).toBe(2);
    expect(await ended(byCode.body.id)).toMatchObject({ status: 'completed', done: 2, total: 2 });

    const byIds = await post('/api/bulk-runs', {
      kind: 'resync',
      datasheet: 'leads',
      recordIds: [leadIds[5], leadIds[6], leadIds[6], 'recGone1'],
    });
    expect(byIds.status).toBe(201);
    // The record AITable no longer has is not examined: the total ends as what was.
    expect(await ended(byIds.body.id)).toMatchObject({ status: 'completed', done: 2, total: 2, recordIdCount: 3 });
  });

  test('when the dashboard stops during a run, then the run is marked interrupted, and a restart from a new process resumes from its checkpoint', async () => {
    const mine = bulkRunnerFor(h, { BACKFILL_PAGE_SIZE: '10', BACKFILL_CHUNK_SIZE: '5' });
    const where = '{Status} = "New"';
    await h.sim.control.setLatency('aitable', 150);
    const run = await mine.start({ kind: 'backfill', datasheet: 'leads', where }, 'olga');
    await waitFor(async () => ((await mine.get(run.id)).done > 0 ? true : undefined), { timeoutMs: 60_000, what: 'the first progress' });
    await mine.close();
    const stopped = await runOf(run.id);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.done).toBeGreaterThan(0);
    expect(stopped.done).toBeLessThan(LEADS);

    await h.sim.control.setLatency('aitable', 0);
    const again = await post(`/api/bulk-runs/${run.id}/restart`);
    expect(again.body).toMatchObject({ restartOf: run.id, filter: { where } });
    // It starts from what the stopped run examined, not from zero.
    expect(again.body.done).toBeGreaterThanOrEqual(stopped.done);
    expect(await ended(again.body.id)).toMatchObject({ status: 'completed', done: LEADS });
  });

  test('when a cancel reaches another dashboard process, then the run stops with its next heartbeat', async () => {
    const other = bulkRunnerFor(h);
    await h.sim.control.setLatency('aitable', 150);
    const run = await runner.start({ kind: 'backfill', datasheet: 'leads', where: '{Company} != "none"' }, 'olga');
    await other.cancel(run.id, 'victor');
    const stopped = await ended(run.id);
    expect(stopped).toMatchObject({ status: 'cancelled', cancelledBy: 'victor' });
    expect(stopped.done).toBeLessThan(LEADS);
    await other.close();
  });

  test('when a run was declared interrupted while its process still ran (a stall), then that process stops it too', async () => {
    await h.sim.control.setLatency('aitable', 150);
    const run = await runner.start({ kind: 'backfill', datasheet: 'leads', where: '{Company} != "stall"' }, 'olga');
    const declaredAt = new Date();
    await h.prisma.bulkRun.update({ where: { id: run.id }, data: { status: 'interrupted', finishedAt: declaredAt } });
    const last = await waitFor(
      async () => {
        const row = await h.prisma.bulkRun.findUniqueOrThrow({ where: { id: run.id } });
        return row.finishedAt! > declaredAt ? row : undefined;
      },
      { timeoutMs: 60_000, what: 'the run to write its own end' },
    );
    expect(last.status).toBe('interrupted');
    expect((last.counts as { examined: number }).examined).toBeLessThan(LEADS);
  });

  test('when AITable refuses the reads, then the run ends failed with the reason, and a restart runs again', async () => {
    await h.sim.control.injectFault({ service: 'aitable', method: 'GET', pathIncludes: DS.leads, count: 1, kind: 'status', status: 401 });
    const start = await post('/api/bulk-runs', { kind: 'resync', datasheet: 'leads', recordIds: [leadIds[7]] });
    const failed = await ended(start.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/\[aitable_/);
    const again = await post(`/api/bulk-runs/${start.body.id}/restart`);
    expect(await ended(again.body.id)).toMatchObject({ status: 'completed', done: 1, recordIdCount: 1 });
  });

  test('when a run lost its process without a word (a crash), then once its heartbeat is stale it shows as interrupted', async () => {
    const lost = await h.prisma.bulkRun.create({
      data: {
        kind: 'backfill',
        datasheet: 'orders',
        filter: {},
        startedBy: 'olga',
        status: 'running',
        heartbeatAt: new Date(Date.now() - 60_000),
        startedAt: new Date(Date.now() - 120_000),
      },
    });
    const run = await runOf(lost.id);
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/start it again to resume/);
  });

  test('when the dashboard has no AITable API key, then runs are listed and starting one answers 503 saying what to set', async () => {
    const without = bulkDashboard(h, undefined);
    const list = await asOperator(request(without).get('/api/bulk-runs'));
    expect(list.body.available).toBe(false);
    expect(list.body.runs.length).toBeGreaterThan(0);
    const start = await asOperator(request(without).post('/api/bulk-runs')).send({ kind: 'backfill', datasheet: 'leads' });
    expect(start.status).toBe(503);
    expect(start.body.message).toMatch(/AITABLE_API_KEY/);
  });
});

describe('bulk runs: waiting for the workers', () => {
  test('when no worker takes the jobs, then a running backfill shows that it is paused and how many jobs wait, until it is cancelled', async () => {
    for (let i = 0; i < 20; i++) await addLead(h, { Email: `w${i}@wait${i}.example`, 'Client Name': `Wait ${i}`, Status: 'Waiting' });
    // No worker runs in this file: the jobs earlier tests enqueued still wait, and five more fill the queue.
    const before = await h.queues.leads.getJobCountByTypes('prioritized', 'delayed');
    const mine = bulkRunnerFor(h, { BACKFILL_PAGE_SIZE: '10', BACKFILL_CHUNK_SIZE: '5', BACKFILL_MAX_AHEAD: String(before + 5) });
    try {
      const run = await mine.start({ kind: 'backfill', datasheet: 'leads', where: '{Status} = "Waiting"' }, 'olga');
      const paused = await waitFor(async () => (await runOf(run.id)).paused ?? undefined, {
        timeoutMs: 60_000,
        what: 'the run to show it is paused',
      });
      expect(paused.waitingJobs).toBe(before + 5);
      expect(Date.now() - Date.parse(paused.since)).toBeGreaterThanOrEqual(10_000);
      expect(await runOf(run.id)).toMatchObject({ status: 'running', done: 5, counts: { enqueued: 5 } });

      expect((await post(`/api/bulk-runs/${run.id}/cancel`)).status).toBe(200);
      expect(await ended(run.id)).toMatchObject({ status: 'cancelled', paused: null, done: 5 });
    } finally {
      await mine.close();
    }
  });
});
