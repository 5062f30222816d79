import { randomUUID } from 'node:crypto';
import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { createMaskPolicy } from '@bridge/privacy';
import { waitFor } from '@bridge/testkit';
import type { Express } from 'express';
import { createReconcileQueue } from '@bridge/queues';
import request from 'supertest';
// The real worker runtime against the simulators: the counts come from the AITable client's hook and
// the scheduled reconcile job, not from rows a test wrote.
import { add, addLead, advanceCursor, createHarness, cursorKey, DS, leadEvent, settled, type Harness } from '@bridge/worker/testing';
import { createApp } from '../src/app';
import { OPERATOR, PERSONAL_FIELDS } from './build-app';

jest.setTimeout(120_000);
let h: Harness;
let app: Express;

beforeAll(async () => {
  h = await createHarness();
  app = createApp({
    queues: h.queues,
    db: h.prisma,
    redis: h.redis,
    datasheets: { leads: DS.leads, orders: DS.orders, auditResults: DS.audit },
    users: [{ ...OPERATOR, role: 'viewer' }],
    allowNoAuth: false,
    logger: createLogger({ service: 'dashboard-test', level: 'silent' }),
    metrics: createMetrics('dashboard'),
    mask: createMaskPolicy({ personalFields: PERSONAL_FIELDS }),
  });
});
afterAll(() => h.close());

interface SeriesBody {
  series: { name: string; unit: string; values: (number | null)[] }[];
}

/** Each series of a chart of the last hour, summed over its intervals, with its unit. */
async function sums(chart: string): Promise<Record<string, string>> {
  const res = await request(app).get(`/api/insight/${chart}?range=1h`).auth(OPERATOR.name, OPERATOR.password);
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body as SeriesBody).series.map((s) => [s.name, `${s.values.reduce<number>((a, v) => a + (v ?? 0), 0)} ${s.unit}`]),
  );
}

test('when AITable answers a 429 storm and a lead is added without a webhook, then the insight APIs count the 429s and that lead as missing, not the ones a webhook or sync brought', async () => {
  // Reconcile looks only at what changes from now on (the seeds are older), with no slack for the clocks: they are one machine's.
  const overlap = { RECONCILE_OVERLAP_MS: '0' };
  const now = Date.now();
  for (const ds of [DS.leads, DS.orders]) await advanceCursor(h.redis, cursorKey(h.prefix, ds), now);
  await h.start(overlap);

  // A lead that came with its event: the storm answers its AITable calls 429 four times, the client waits them out.
  const announced = await addLead(h, { 'Client Name': 'Announced Lead' });
  await h.sim.control.injectFault({ service: 'aitable', pathIncludes: DS.leads, count: 4, kind: 'rate_limit' });
  expect((await settled(h, 'leads', await add(h, 'leads', leadEvent(announced)), 60_000)).state).toBe('completed');
  expect(await h.sim.control.faults()).toEqual([]);
  const throttled = (await h.sim.control.requests({ service: 'aitable' })).filter((r) => r.status === 429);
  expect(throttled).toHaveLength(4);

  // A lead typed into AITable whose webhook never came, and one whose webhook ingest accepted but whose job has not
  // run yet (as ingest records it); then the scheduled reconcile runs.
  const lost = await addLead(h, { 'Client Name': 'Lost Lead' });
  const inFlight = await addLead(h, { 'Client Name': 'Webhook In Flight' });
  await h.prisma.webhookDelivery.create({
    data: {
      id: randomUUID(),
      requestId: 'r-in-flight',
      source: 'aitable',
      datasheetId: DS.leads,
      recordId: inFlight,
      outcome: 'accepted',
      httpStatus: 202,
    },
  });
  await h.stop();
  await h.start({ ...overlap, RECONCILE_INTERVAL_MS: '60000' });
  const run = await waitFor(
    async () => {
      const jobs = await h.queues.leads.getJobs(['waiting', 'active', 'completed', 'delayed'], 0, -1);
      return jobs.find((j) => j.data.recordId === lost && String(j.data.requestId).startsWith('reconcile-'));
    },
    { timeoutMs: 30_000, what: 'the reconcile run to feed the lost lead' },
  );
  expect((await settled(h, 'leads', run.id!, 60_000)).state).toBe('completed');

  // The counts are written in batches off the job's path: within a second or two.
  await waitFor(async () => ((await sums('reconcile-missing')).leads === '1 count' ? true : undefined), {
    timeoutMs: 30_000,
    what: 'the lost lead in the reconcile-missing chart',
  });
  // The announced lead was listed too (its Portal URL write-back is a modification), but its sync row moved after
  // it; the lead in flight has its delivery.
  expect(await sums('reconcile-missing')).toEqual({ leads: '1 count', orders: '0 count' });
  const reconcileQueue = createReconcileQueue({ connection: h.redis, prefix: h.prefix });
  try {
    const [done] = await reconcileQueue.getJobs(['completed']);
    expect(done?.returnvalue).toBe('leads: 3 enqueued, 0 duplicate, 1 missing; orders: 0 enqueued, 0 duplicate, 0 missing');
  } finally {
    await reconcileQueue.close();
  }
  expect(await sums('upstream')).toMatchObject({ 'AITable 429s': '4 count' });
  expect(await sums('aitable-answers')).toEqual({ 'code 429': '4 count' });
  await h.stop();
});
