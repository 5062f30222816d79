import type { SimRequest } from '@bridge/simulators';
import { LEGACY_BACKOFF_TYPE } from '@bridge/queues';
import { maxPerSecond } from '@bridge/testkit';
import type { WorkerRuntime } from '../src';
import { add, addLead, clientsOf, createHarness, DS, leadEvent, listCalls, recordOf, settled, syncRow, type Harness } from './harness';

/** Most requests to one datasheet inside any one-second window of the log. */
const busiestSecond = (requests: SimRequest[], datasheetId: string) =>
  maxPerSecond(requests.filter((r) => r.datasheetId === datasheetId).map((r) => r.at));

describe('faults of AITable and MissionX', () => {
  let h: Harness;
  let runtime: WorkerRuntime;

  beforeAll(async () => {
    h = await createHarness();
    // One in-client retry per 429, so a storm reaches the job as a throttled error.
    // No outage budget: these cases are about the attempts 5xx answers spend once it is used up (outage.test.ts covers waiting them out).
    runtime = await h.start({ AITABLE_THROTTLE_RETRIES: '1', WORKER_CONCURRENCY_LEADS: '6', WORKER_OUTAGE_BUDGET_MS: '0' });
  });
  afterAll(() => h.close());

  it('when MissionX answers 500 to the create twice, then the job spends three attempts, records each error and ends with one portal', async () => {
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      count: 2,
      kind: 'status',
      status: 500,
    });
    const recordId = await addLead(h);
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));

    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(3);
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'success', retryCount: 0, errorMessage: null });
    const failures = h.logLines.filter((l) => l.jobId === job.id && l.message === 'sync attempt failed');
    expect(failures.map((l) => [l.attempt, l.final])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(String(failures[0]!.error)).toContain('500');
  });

  it('when a job queued before the job catalog (legacy capped-jitter backoff) fails once, then the worker still backs it off and it completes', async () => {
    await h.sim.control.injectFault({ service: 'aitable', method: 'PATCH', pathIncludes: DS.leads, count: 1, kind: 'status', status: 500 });
    const recordId = await addLead(h);
    const event = leadEvent(recordId);
    await h.queues.leads.add(event.kind, event, {
      jobId: event.deliveryId,
      attempts: 4,
      backoff: { type: LEGACY_BACKOFF_TYPE, delay: 50 },
    });
    const { state, job } = await settled(h, 'leads', event.deliveryId);

    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(2);
  });

  it('when a create is carried out but its answer is cut, then the retry finds the client in the updatedAt window: one portal, a few list calls', async () => {
    const recordId = await addLead(h);
    const since = Date.now();
    await h.sim.control.injectFault({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients', count: 1, kind: 'cut_after' });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));

    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(2);
    const clients = await clientsOf(h, recordId);
    expect(clients).toHaveLength(1);
    const creates = (await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients' })).filter(
      (r) => (r.body as { customId?: string }).customId === recordId,
    );
    expect(creates).toHaveLength(1);
    // Among 1,000 other clients, the window since the create holds only the recent ones.
    expect(await listCalls(h, since)).toBeLessThanOrEqual(5);
    const gets = await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' });
    expect(gets.at(-1)?.query).toMatchObject({ sortBy: 'updatedAt', sortDirection: 'asc', limit: '100', withArchived: 'true' });
    expect(String(gets.at(-1)?.query.updatedAt)).toMatch(/^gte \d{4}-/);
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'success', entityId: clients[0]!._id, createIntentAt: null });
    const lookups = await runtime.deps.metrics.missionxClientLookups.get();
    expect(lookups.values.find((v) => v.labels.kind === 'window' && v.labels.outcome === 'found')?.value).toBeGreaterThanOrEqual(1);
  });

  it('when MissionX fails every attempt, then the sync row ends failed with the message and the job stays in the failed set', async () => {
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      count: 4,
      kind: 'status',
      status: 503,
    });
    const recordId = await addLead(h);
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));

    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(4);
    const row = await syncRow(h, DS.leads, recordId);
    expect(row).toMatchObject({ syncStatus: 'failed', retryCount: 4 });
    expect(row?.errorMessage).toContain('503');
    expect((await h.queues.leads.getFailed()).map((j) => j.id)).toContain(job.id);
    // The runbook's `replay -- jobs --error unavailable` matches on the code at the start of the reason.
    expect(job.failedReason).toMatch(/^missionx_unavailable: .*503/);
  });

  it('when AITable answers HTTP 200 with success:false and code 500, then it is treated as transient: retried, then synced', async () => {
    const recordId = await addLead(h);
    await h.sim.control.injectFault({
      service: 'aitable',
      method: 'PATCH',
      pathIncludes: DS.leads,
      count: 1,
      kind: 'envelope_error',
      code: 500,
    });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(2);
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
  });

  it('when AITable answers HTTP 200 with success:false and code 403, then the job fails at once and the sync row says why', async () => {
    const recordId = await addLead(h);
    await h.sim.control.injectFault({
      service: 'aitable',
      method: 'PATCH',
      pathIncludes: DS.leads,
      count: 1,
      kind: 'envelope_error',
      code: 403,
      message: 'monthly API quota used up',
    });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    const row = await syncRow(h, DS.leads, recordId);
    expect(row).toMatchObject({ syncStatus: 'failed', retryCount: 1 });
    expect(row?.errorMessage).toMatch(/aitable_forbidden: .*monthly API quota used up/);
    expect(job.failedReason).toMatch(/^aitable_forbidden: .*monthly API quota used up/);
  });

  it('when a job that bypassed ingest carries a 3,000-character recordId, then it fails at once naming recordId and nothing is called', async () => {
    const recordId = `rec${'x'.repeat(2997)}`;
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/invalid: recordId: .*at most 64 characters/);
    const mentions = (await h.sim.control.requests()).filter((r) => JSON.stringify([r.path, r.query, r.body]).includes(recordId));
    expect(mentions).toEqual([]);
  });

  it('when AITable answers a storm of 429s, then every job completes without spending an attempt and no second holds more than the limit', async () => {
    await h.sim.control.reset();
    await h.sim.control.injectFault({ service: 'aitable', pathIncludes: DS.leads, count: 12, kind: 'rate_limit' });
    const leads = await Promise.all(Array.from({ length: 6 }, (_, i) => addLead(h, { Company: `Storm ${i}` })));
    const ids = await Promise.all(leads.map((recordId) => add(h, 'leads', leadEvent(recordId, { eventType: undefined }))));
    const results = await Promise.all(ids.map((id) => settled(h, 'leads', id, 30_000)));

    expect(results.map((r) => r.state)).toEqual(Array(6).fill('completed'));
    expect(results.map((r) => r.job.attemptsMade)).toEqual(Array(6).fill(1));
    // Six jobs have at most six calls in flight, so some call met two of the first twelve 429s
    // and reached its job as a throttled error: that job was delayed, still on its first attempt.
    expect(results.some((r) => (r.job.attemptsStarted ?? 0) > 1)).toBe(true);
    for (const recordId of leads) expect((await recordOf(h, DS.leads, recordId))?.fields['Portal Status']).toBe('Active');
    const log = await h.sim.control.requests({ service: 'aitable' });
    expect(log.filter((r) => r.status === 429)).toHaveLength(12);
    expect(busiestSecond(log, DS.leads)).toBeLessThanOrEqual(5);
    const waits = await runtime.deps.metrics.rateLimitWaits.get();
    expect(waits.values.find((v) => v.labels.cause === 'http_429')?.value).toBeGreaterThan(0);
  });

  it('when many leads arrive at once, then the write-backs are batched and the per-datasheet limit is never exceeded', async () => {
    await h.sim.control.reset();
    const leads = await Promise.all(Array.from({ length: 12 }, (_, i) => addLead(h, { Company: `Burst ${i}` })));
    const ids = await Promise.all(leads.map((recordId) => add(h, 'leads', leadEvent(recordId))));
    const results = await Promise.all(ids.map((id) => settled(h, 'leads', id, 30_000)));

    expect(results.map((r) => r.state)).toEqual(Array(12).fill('completed'));
    const log = await h.sim.control.requests({ service: 'aitable' });
    const patches = log.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeLessThan(12);
    expect(patches.every((r) => (r.body as { records: unknown[] }).records.length <= 10)).toBe(true);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(busiestSecond(log, DS.leads)).toBeLessThanOrEqual(5);
  });
});
