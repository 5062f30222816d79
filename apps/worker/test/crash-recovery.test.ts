import type { FaultSpec } from '@bridge/simulators';
import { waitFor } from '@bridge/testkit';
import { add, addLead, createHarness, DS, leadEvent, listCalls, recordOf, settled, syncRow, type Harness } from './harness';
import { spawnWorker, type WorkerProcess } from './spawn-worker';

jest.setTimeout(90_000);

/**
 * Real crashes: the worker runs as its own process and is SIGKILLed while a step of the lead flow
 * is in flight (a simulator fault holds that request); a second worker then finds the job stalled
 * and runs it again. Short job and record locks let the second worker take over within seconds; not shorter than
 * 2.5 s, or a worker slowed by a busy machine misses its own lock renewal and the job stalls without any crash.
 */
describe('crash recovery of the lead flow', () => {
  let h: Harness;
  const children: WorkerProcess[] = [];
  const CRASHING = {
    WORKER_QUEUES: 'leads',
    LOG_LEVEL: 'info',
    WORKER_JOB_LOCK_MS: '2500',
    WORKER_STALLED_INTERVAL_MS: '300',
    WORKER_RECORD_LOCK_TTL_MS: '2500',
  };

  beforeAll(async () => {
    h = await createHarness();
  });
  // A request left hanging by one test must not look like the next test's step in flight.
  beforeEach(() => h.sim.control.reset());
  afterEach(() => h.stop());
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await h.close();
  });

  const pending = async (filter: { service: 'aitable' | 'missionx'; method: string; pathIncludes: string }) =>
    (await h.sim.control.requests(filter)).filter((r) => r.status === 0).length;

  /**
   * Starts a worker process, lets it reach the faulty step, kills it (`crashes` times, each a new
   * process taking up the stalled job), then lets a fresh worker finish the job.
   */
  async function crashAndRecover(fault: FaultSpec, afterKill: (recordId: string) => Promise<unknown> = async () => undefined, crashes = 1) {
    const recordId = await addLead(h);
    await h.sim.control.injectFault(fault);
    let jobId: string | undefined;
    for (let crash = 1; crash <= crashes; crash++) {
      const crashing = spawnWorker(h.env(CRASHING));
      children.push(crashing);
      await crashing.ready();
      jobId ??= await add(h, 'leads', leadEvent(recordId));
      await waitFor(
        async () => (await pending({ service: fault.service, method: fault.method!, pathIncludes: fault.pathIncludes! })) >= crash,
        {
          timeoutMs: 20_000,
          what: `the faulty step to be in flight (crash ${crash})`,
        },
      );
      crashing.child.kill('SIGKILL');
      await crashing.exited;
    }
    await afterKill(recordId);
    const recovering = Date.now();
    await h.start({ WORKER_STALLED_INTERVAL_MS: '300' });
    const result = await settled(h, 'leads', jobId!, 30_000);
    const portals = (await h.sim.control.missionxClients()).filter((c) => c.customId === recordId);
    const creates = (await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/clients' })).filter(
      (r) => (r.body as { customId?: string }).customId === recordId,
    );
    return { recordId, jobId, ...result, portals, creates, listCalls: await listCalls(h, recovering) };
  }

  it('when the worker dies between the create and the sync row (MissionX still creates it), then the retry finds it in the window: one portal', async () => {
    const fault: FaultSpec = { service: 'missionx', method: 'POST', pathIncludes: '/clients', count: 1, kind: 'hang', hangMs: 1000 };
    const r = await crashAndRecover(fault, (recordId) =>
      waitFor(async () => (await h.sim.control.missionxClients()).some((c) => c.customId === recordId), {
        what: 'the late create to land',
      }),
    );
    expect(r.state).toBe('completed');
    expect(r.portals).toHaveLength(1);
    expect(r.creates).toHaveLength(1);
    // Among 1,000 other clients: the window since the recorded intent, not a scan.
    expect(r.listCalls).toBeGreaterThanOrEqual(1);
    expect(r.listCalls).toBeLessThanOrEqual(5);
    expect((await recordOf(h, DS.leads, r.recordId))?.fields['Portal Status']).toBe('Active');
    expect(await syncRow(h, DS.leads, r.recordId)).toMatchObject({ syncStatus: 'success', entityId: r.portals[0]!._id });
  });

  it('when the worker dies after creating the portal, before the write-back lands, then the retry writes back: one portal', async () => {
    const fault: FaultSpec = { service: 'aitable', method: 'PATCH', pathIncludes: DS.leads, count: 1, kind: 'hang' };
    const r = await crashAndRecover(fault);
    expect(r.state).toBe('completed');
    expect(r.portals).toHaveLength(1);
    expect(r.creates).toHaveLength(1);
    // The client id was recorded right after the create: the retry needs no lookup.
    expect(r.listCalls).toBe(0);
    expect((await recordOf(h, DS.leads, r.recordId))?.fields).toMatchObject({
      'Portal URL': { text: `https://app.missionx.ai/portal/${r.portals[0]!._id}` },
      'Portal Status': 'Active',
    });
    expect(await syncRow(h, DS.leads, r.recordId)).toMatchObject({ syncStatus: 'success', entityId: r.portals[0]!._id });
  });

  it('when the worker dies after the write-back landed, before the sync row, then the retry completes the row: one portal', async () => {
    const fault: FaultSpec = { service: 'aitable', method: 'PATCH', pathIncludes: DS.leads, count: 1, kind: 'hang', hangMs: 800 };
    const r = await crashAndRecover(fault, async (recordId) => {
      await waitFor(async () => (await recordOf(h, DS.leads, recordId))?.fields['Portal URL'], { what: 'the late write-back to land' });
      // The crash left the row pending: the write-back happened, the success was never recorded.
      expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'pending' });
    });
    expect(r.state).toBe('completed');
    expect(r.portals).toHaveLength(1);
    expect(r.creates).toHaveLength(1);
    expect(await syncRow(h, DS.leads, r.recordId)).toMatchObject({ syncStatus: 'success', entityId: r.portals[0]!._id, retryCount: 0 });
  });

  it('when the worker dies twice on the same job, then a third worker still completes it: a stall is not a lost job', async () => {
    // BullMQ's default allows one stall; the second would fail the job for good ("stalled more than allowable limit").
    const fault: FaultSpec = { service: 'missionx', method: 'POST', pathIncludes: '/clients', count: 2, kind: 'hang' };
    const r = await crashAndRecover(fault, async () => undefined, 2);
    expect({ state: r.state, failedReason: r.job.failedReason }).toEqual({ state: 'completed', failedReason: undefined });
    expect(r.portals).toHaveLength(1);
    // Neither hung create took effect: the window and then the last-resort scan found nothing, so one create was made.
    expect(r.creates).toHaveLength(3);
    expect(await syncRow(h, DS.leads, r.recordId)).toMatchObject({ syncStatus: 'success', entityId: r.portals[0]!._id });
  });
});
