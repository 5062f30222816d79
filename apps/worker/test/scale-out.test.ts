import { maxPerSecondPerDatasheet, waitFor } from '@bridge/testkit';
import { add, addLead, createHarness, DS, FOREIGN_CLIENTS, leadEvent, type Harness } from './harness';
import { spawnWorker, type WorkerProcess } from './spawn-worker';

jest.setTimeout(180_000);

/**
 * Scale-out: three real worker processes on one queue share one AITable rate limiter and one lock
 * space through Redis. Every lead arrives twice, id-only (each job reads the lead, batched GETs,
 * then writes it back, batched PATCHes), so the processes race on the same records and the same
 * datasheet. The ceiling is read from the simulator's own log, not from any timing of ours.
 */
describe('scale-out across worker processes', () => {
  let h: Harness;
  const children: WorkerProcess[] = [];

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => (c.child.exitCode === null ? (c.child.kill('SIGTERM'), c.exited) : undefined)));
    await h.close();
  });

  it('when 3 worker processes drain 80 jobs of 40 leads, then AITable never sees more than 5 requests per datasheet in a second, no 429, one portal per lead', async () => {
    const leads = await Promise.all(Array.from({ length: 40 }, (_, i) => addLead(h, { Email: `lead${i}@firm${i}.example` })));
    for (let i = 0; i < 3; i++) children.push(spawnWorker(h.env({ WORKER_QUEUES: 'leads', WORKER_CONCURRENCY_LEADS: '20' })));
    await Promise.all(children.map((c) => c.ready()));

    const jobIds = await Promise.all([...leads, ...leads].map((recordId) => add(h, 'leads', leadEvent(recordId))));
    await waitFor(async () => (await h.queues.leads.getJobCounts('completed')).completed === jobIds.length, {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: 'every job to complete',
    });

    const log = await h.sim.control.requests({ service: 'aitable' });
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(maxPerSecondPerDatasheet(log)).toBeLessThanOrEqual(5);
    const portals = (await h.sim.control.missionxClients()).slice(FOREIGN_CLIENTS);
    expect(portals.map((p) => p.customId).sort()).toEqual([...leads].sort());
    const records = await h.sim.control.records(DS.leads);
    expect(records.filter((r) => r.fields['Portal Status'] === 'Active')).toHaveLength(leads.length);
    // Reads and writes were shared out in batches, and more than one process did the work.
    expect(log.filter((r) => r.method === 'GET' && String(r.query.recordIds).includes(',')).length).toBeGreaterThan(0);
    const working = children.filter((c) => c.lines.some((l) => l.message === 'portal created' || l.message === 'portal up to date'));
    expect(working.length).toBeGreaterThan(1);
  });
});
