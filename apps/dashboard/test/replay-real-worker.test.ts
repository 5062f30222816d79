import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { createMaskPolicy } from '@bridge/privacy';
import type { Express } from 'express';
import { waitFor } from '@bridge/testkit';
import request from 'supertest';
// The worker's own test harness: the real worker runtime against the simulators, so this
// test replays what the real processors failed, not a stand-in.
import { add, addLead, createHarness, DS, leadEvent, settled, syncRow, type Harness } from '@bridge/worker/testing';
import { createApp } from '../src/app';
import { OPERATOR, PERSONAL_FIELDS } from './build-app';

jest.setTimeout(60_000);
let h: Harness;
let app: Express;

beforeAll(async () => {
  h = await createHarness();
  // No outage budget, so MissionX's 503s spend the attempts and the job reaches the failed set to replay.
  await h.start({ WORKER_OUTAGE_BUDGET_MS: '0' });
  app = createApp({
    queues: h.queues,
    db: h.prisma,
    redis: h.redis,
    datasheets: { leads: DS.leads, orders: DS.orders, auditResults: DS.audit },
    users: [{ ...OPERATOR, role: 'operator' }],
    allowNoAuth: false,
    logger: createLogger({ service: 'dashboard-test', level: 'silent' }),
    metrics: createMetrics('dashboard'),
    mask: createMaskPolicy({ personalFields: PERSONAL_FIELDS }),
  });
});
afterAll(() => h.close());

test('when MissionX failed every attempt of a lead and then recovers slowly, then a replay from the dashboard gets fresh attempts and the portal is made once', async () => {
  // The harness gives jobs 4 attempts; MissionX refuses all of them.
  await h.sim.control.injectFault({
    service: 'missionx',
    method: 'POST',
    pathIncludes: '/v2/clients',
    count: 4,
    kind: 'status',
    status: 503,
  });
  const recordId = await addLead(h);
  const jobId = await add(h, 'leads', leadEvent(recordId));
  expect((await settled(h, 'leads', jobId)).state).toBe('failed');
  expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'failed', retryCount: 4 });

  const status = await request(app).get('/api/status').auth(OPERATOR.name, OPERATOR.password);
  expect(status.body.recentFailures).toEqual([
    expect.objectContaining({ recordId, retryCount: 4, lastJobId: jobId, errorMessage: expect.stringContaining('503') }),
  ]);
  expect(status.body.queues.leads.failed).toBe(1);

  // Still down for three more calls: one more try (a plain retry) would not be enough.
  await h.sim.control.injectFault({
    service: 'missionx',
    method: 'POST',
    pathIncludes: '/v2/clients',
    count: 3,
    kind: 'status',
    status: 503,
  });
  const replay = await request(app)
    .post('/api/replay')
    .auth(OPERATOR.name, OPERATOR.password)
    .send({ queue: 'leads', record: recordId, error: '503' });
  expect(replay.body).toMatchObject({ matched: 1, replayed: 1, errors: [] });

  const { state, job } = await settled(h, 'leads', jobId, 30_000);
  expect(state).toBe('completed');
  expect(job.attemptsMade).toBe(4);
  expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
  expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'success', errorMessage: null });

  // The history tells the replayed attempts apart (their latency includes the wait for a person).
  const history = await waitFor(
    async () => {
      const rows = await h.prisma.syncEvent.findMany({ where: { jobId }, orderBy: { finishedAt: 'asc' } });
      return rows.some((r) => r.outcome === 'success') ? rows : undefined;
    },
    { what: 'the success history row' },
  );
  expect(history.map((r) => [r.outcome, r.manual])).toEqual([
    ['retry', false],
    ['retry', false],
    ['retry', false],
    ['failed', false],
    ['retry', true],
    ['retry', true],
    ['retry', true],
    ['success', true],
  ]);
});
