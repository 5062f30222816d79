import { freePort, PgProxy, waitFor } from '@bridge/testkit';
import type { Job } from 'bullmq';
import { add, addLead, createHarness, DS, leadEvent, settled, type Harness } from './harness';

/**
 * Outages of the services a job needs (Postgres, AITable, MissionX) do not spend its attempts:
 * the job waits them out, delayed, within the outage budget (WORKER_OUTAGE_BUDGET_MS), and only
 * after the budget do such errors count as attempts again.
 */
describe('infrastructure outages', () => {
  let h: Harness;
  let pg: PgProxy;
  let proxiedDbUrl: string;
  const outageOf = (job: Job) => (job.data as { outage?: { since: number; delays: number } }).outage;
  const shortWaits = { WORKER_OUTAGE_DELAY_MS: '50', WORKER_OUTAGE_DELAY_MAX_MS: '300' };

  beforeAll(async () => {
    h = await createHarness();
    const target = new URL(h.tdb.url);
    pg = new PgProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await pg.start();
    target.host = `127.0.0.1:${pg.port}`;
    proxiedDbUrl = target.toString();
  });
  afterAll(async () => {
    await h.close();
    await pg.stop();
  });
  afterEach(async () => {
    pg.restore();
    await h.stop();
  });

  it('when Postgres is unreachable, then the job is delayed without spending attempts and completes once it is back', async () => {
    await h.start({ ...shortWaits, DATABASE_URL: proxiedDbUrl });
    const recordId = await addLead(h);
    pg.cut();
    const jobId = await add(h, 'leads', leadEvent(recordId));

    const waiting = await waitFor(
      async () => {
        const job = await h.queues.leads.getJob(jobId);
        return job && (outageOf(job)?.delays ?? 0) >= 3 ? job : undefined;
      },
      { timeoutMs: 20_000, what: 'three outage delays' },
    );
    expect(waiting.attemptsMade).toBe(0);
    expect(await h.queues.leads.getJobState(jobId)).not.toBe('failed');

    pg.restore();
    const { state, job } = await settled(h, 'leads', jobId, 30_000);
    expect(state).toBe('completed');
    // Completion is the one attempt it spent.
    expect(job.attemptsMade).toBe(1);
    const lines = h.logLines.filter((l) => l.jobId === jobId);
    expect(
      lines.some((l) => String(l.message).startsWith('a service the job needs is down') && String(l.error).startsWith('db_unavailable')),
    ).toBe(true);
    expect(lines.filter((l) => l.message === 'job attempt failed, will retry')).toEqual([]);
  });

  it('when AITable answers 503 for a while, then the job waits it out without spending attempts and makes one portal', async () => {
    await h.start(shortWaits);
    await h.sim.control.injectFault({
      service: 'aitable',
      method: 'PATCH',
      pathIncludes: DS.leads,
      count: 5,
      kind: 'status',
      status: 503,
    });
    const recordId = await addLead(h);
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)), 30_000);

    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    expect(outageOf(job)).toMatchObject({ since: expect.any(Number), delays: expect.any(Number) });
    expect(outageOf(job)!.delays).toBeGreaterThanOrEqual(1);
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
  });

  it('when the outage outlasts the budget, then its errors spend attempts again and the job ends in the failed set with a fresh budget for replay', async () => {
    await h.start({ ...shortWaits, WORKER_OUTAGE_BUDGET_MS: '400' });
    await h.sim.control.injectFault({
      service: 'aitable',
      method: 'PATCH',
      pathIncludes: DS.leads,
      count: 1000,
      kind: 'status',
      status: 503,
    });
    try {
      const recordId = await addLead(h);
      const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)), 30_000);

      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(job.opts.attempts);
      expect(job.failedReason).toMatch(/^aitable_unavailable: /);
      const waits = h.logLines.filter((l) => l.jobId === job.id && String(l.message).startsWith('a service the job needs is down'));
      expect(waits.length).toBeGreaterThanOrEqual(1);
      // The attempts came after the budget: the job failed at least the budget after its first outage failure.
      expect(job.finishedOn! - Date.parse(String(waits[0]!.outageSince))).toBeGreaterThanOrEqual(400);
      expect(outageOf(job)).toBeUndefined();
    } finally {
      await h.sim.control.clearFaults();
    }
  });
});
