import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { createMaskPolicy } from '@bridge/privacy';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { createApp } from '../src/app';
import { NoDashboardUsersError } from '../src/auth';
import { createReconcileQueue, createRetentionQueue, JOBS } from '@bridge/queues';
import { ATTEMPTS } from '@bridge/testkit';
import { asOperator, asViewer, OPERATOR, useTestDashboard, VIEWER } from './build-app';

const t = useTestDashboard();
const failedList = '/admin/queues/api/queues?activeQueue=leads&status=failed&page=1&jobsPerPage=50';

describe('authentication', () => {
  test.each(['/admin/queues', '/admin/queues/api/queues', '/status', '/api/status', '/api/failed-jobs'])(
    'when %s is asked for without credentials, then the answer is 401 with a Basic challenge',
    async (path) => {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    },
  );

  test('when the password is wrong or the user unknown, then the answer is 401', async () => {
    expect((await request(t.app).get('/api/status').auth(OPERATOR.name, 'wrong-password')).status).toBe(401);
    expect((await request(t.app).get('/api/status').auth('nobody', OPERATOR.password)).status).toBe(401);
    // A user name with another user's password is not a login either.
    expect((await request(t.app).get('/api/status').auth(VIEWER.name, OPERATOR.password)).status).toBe(401);
  });

  test('when a viewer logs in with the password whose sha256 is configured, then the board and the status answer', async () => {
    const board = await asViewer(request(t.app).get('/admin/queues'));
    expect(board.status).toBe(200);
    expect(board.text).toMatch(/<div id="root">/);
    expect((await asViewer(request(t.app).get('/api/status'))).status).toBe(200);
  });

  const depsWithout = (allowNoAuth: boolean, stream?: NodeJS.WritableStream) => ({
    queues: t.h.queues,
    db: t.db,
    redis: t.h.redis,
    datasheets: { leads: 'dstA', orders: 'dstB', auditResults: 'dstC' },
    users: [],
    allowNoAuth,
    metrics: createMetrics('dashboard'),
    mask: createMaskPolicy(),
    logger: createLogger({ service: 't', level: 'warn', format: 'json', stream }),
  });

  test('when no users are configured and no-auth is not allowed, then the app refuses to start', () => {
    expect(() => createApp(depsWithout(false))).toThrow(NoDashboardUsersError);
    expect(() => createApp(depsWithout(false))).toThrow(/DASHBOARD_USERS is empty/);
  });

  test('when no users are configured and no-auth is allowed, then everyone is an operator and a warning is logged', async () => {
    const lines: string[] = [];
    const stream = new PassThrough().on('data', (c: Buffer) => lines.push(c.toString()));
    const app = createApp(depsWithout(true, stream));
    const res = await request(app).post('/api/replay').send({ queue: 'orders', dryRun: true });
    expect(res.status).toBe(200);
    expect(lines.join('')).toMatch(/NO LOGIN/);
  });
});

describe('Bull Board by role', () => {
  test('when a viewer or an operator opens Bull Board, then it shows every queue of the job catalog, reconcile and retention included', async () => {
    const reconcile = createReconcileQueue({ connection: t.h.redis, prefix: t.h.prefix });
    const retention = createRetentionQueue({ connection: t.h.redis, prefix: t.h.prefix });
    try {
      // No worker of these queues runs here, so the runs stay waiting where the board can show them.
      const run = await reconcile.add('reconcile.run', { kind: 'reconcile.run', targets: ['leads'] });
      await retention.add('retention.run', { kind: 'retention.run' });
      for (const as of [asViewer, asOperator]) {
        const res = await as(
          request(t.app).get(`/admin/queues/api/queues?activeQueue=${JOBS.reconcile.name}&status=waiting&page=1&jobsPerPage=10`),
        );
        expect(res.status).toBe(200);
        const shown = res.body.queues as { name: string; counts: { waiting: number }; jobs: { id: string }[] }[];
        expect(shown.map((q) => q.name)).toEqual(Object.values(JOBS).map((d) => d.name));
        expect(shown.find((q) => q.name === JOBS.retention.name)!.counts.waiting).toBe(1);
        expect(shown.find((q) => q.name === JOBS.reconcile.name)!.jobs.map((j) => j.id)).toEqual([run.id]);
      }
    } finally {
      await Promise.all([reconcile.close(), retention.close()]);
    }
  });

  test('when a viewer retries, promotes or cleans through Bull Board’s API, then the API refuses with 405 and the job stays failed', async () => {
    const job = await t.h.failJob('leads', 'recView1');
    for (const path of [
      `/admin/queues/api/queues/leads/${job.id}/retry`,
      '/admin/queues/api/queues/leads/retry/failed',
      `/admin/queues/api/queues/leads/${job.id}/clean`,
      '/admin/queues/api/queues/leads/promote',
    ]) {
      const res = await asViewer(request(t.app).put(path));
      expect({ path, status: res.status }).toEqual({ path, status: 405 });
    }
    expect(await (await t.h.queues.leads.getJob(job.id!))!.getState()).toBe('failed');
    const list = await asViewer(request(t.app).get(failedList));
    expect(list.body.queues.find((q: { name: string }) => q.name === 'leads')).toMatchObject({ readOnlyMode: true, allowRetries: false });
  });

  test('when a viewer asks for a replay through the dashboard API, then the answer is 403 with a message', async () => {
    const res = await asViewer(request(t.app).post('/api/replay').send({ queue: 'leads' }));
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/needs the operator role/);
  });

  test('when an operator retries a failed job in Bull Board, then it runs again with a fresh set of attempts and completes', async () => {
    const job = await t.h.failJob('leads', 'recOp1');
    t.h.outage.set('recOp1', ATTEMPTS - 1);

    const res = await asOperator(request(t.app).put(`/admin/queues/api/queues/leads/${job.id}/retry`));

    expect(res.status).toBe(204);
    await t.h.waitForState('leads', job.id!, 'completed');
    expect(t.h.runs.get('recOp1')).toBe(2 * ATTEMPTS);
  });

  test('when an operator retries all failed jobs of a queue in Bull Board, then each gets fresh attempts', async () => {
    const a = await t.h.failJob('orders', 'recOpAll1');
    const b = await t.h.failJob('orders', 'recOpAll2');
    const res = await asOperator(request(t.app).put('/admin/queues/api/queues/orders/retry/failed'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retried: 2, skipped: 0 });
    await t.h.waitForState('orders', a.id!, 'completed');
    await t.h.waitForState('orders', b.id!, 'completed');
  });

  test('when an operator cleans the failed jobs, then Bull Board does it', async () => {
    const job = await t.h.failJob('audit-results', 'recClean1');
    const res = await asOperator(request(t.app).put(`/admin/queues/api/queues/audit-results/${job.id}/clean`));
    expect(res.status).toBe(204);
    expect(await t.h.queues['audit-results'].getJob(job.id!)).toBeUndefined();
  });

  test('when an operator tries to edit job data from the board, then it is refused because the data shown is masked', async () => {
    const job = await t.h.failJob('leads', 'recEdit1');
    const res = await asOperator(
      request(t.app)
        .patch(`/admin/queues/api/queues/leads/${job.id}/update-data`)
        .send({ data: { recordId: 'recX' } }),
    );
    expect(res.status).toBe(403);
    expect((await t.h.queues.leads.getJob(job.id!))!.data.recordId).toBe('recEdit1');
  });

  test('when jobs with personal data are shown in Bull Board, then emails, phones and names are masked in the API answers', async () => {
    const job = await t.h.failJob('leads', 'recPii1', 'MissionX refused jane.doe@example.com', {
      fields: { Email: 'jane.doe@example.com', Phone: '+44 7700 900123', 'Client Name': 'Jane Doe', Company: 'Acme' },
    });
    for (const as of [asViewer, asOperator]) {
      const list = await as(request(t.app).get(failedList));
      const shown = list.body.queues.find((q: { name: string }) => q.name === 'leads').jobs.find((j: { id: string }) => j.id === job.id);
      expect(shown.data.fields).toEqual({ Email: 'j***@e***.com', Phone: '***23', 'Client Name': 'J*** D***', Company: 'A***' });
      expect(shown.failedReason).toBe('MissionX refused j***@e***.com');
      const one = await as(request(t.app).get(`/admin/queues/api/queues/leads/${job.id}`));
      expect(one.status).toBe(200);
      for (const text of [list.text, one.text]) {
        expect(text).not.toMatch(/jane\.doe|7700 900123|Jane Doe/);
      }
    }
  });
});
