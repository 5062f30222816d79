import { concurrencyVariable, JOBS } from '@bridge/queues';
import { waitFor } from '@bridge/testkit';
import { add, addLead, clientsOf, createHarness, DS, leadEvent, listCalls, settled, syncRow, type Harness } from './harness';
import { spawnWorker, type WorkerProcess } from './spawn-worker';

/**
 * A failover to a replica that never received a job's move to active loses the job's lock (and the
 * record lock) with the old primary: the job is waiting again while its first worker is still in the
 * middle of it. Here that loss is made on purpose, at the worst moment: worker A's MissionX create is
 * held by the simulator when the job goes back to wait without its locks, and worker B takes it.
 * The sync row's create intent, the lost-answer lookup and find-before-create keep it to one portal.
 */
describe('a lead job whose locks vanished while its MissionX create was in flight', () => {
  let h: Harness;
  let a: WorkerProcess | undefined;
  const leads = JOBS.leads.name;
  // Neither worker gives up on the held create, nor stops waiting for it to show, while the test holds it.
  const PATIENT = { WORKER_QUEUES: leads, MISSIONX_TIMEOUT_MS: '600000', MISSIONX_CREATE_SETTLE_MS: '600000' };

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    if (a && a.child.exitCode === null) {
      a.child.kill('SIGKILL');
      await a.exited;
    }
    await h.close();
  }, 60_000);

  it('then a second worker runs it at the same time and still one client is created and one Portal URL written', async () => {
    const recordId = await addLead(h);
    const creates = async () =>
      (await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/clients' })).filter(
        (r) => (r.body as { customId?: string }).customId === recordId,
      );
    // One job at a time on A, so the job put back can only go to B.
    a = spawnWorker(h.env({ ...PATIENT, [concurrencyVariable(leads)]: '1' }));
    await a.ready();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/clients',
      count: 1,
      kind: 'hang',
      hangMs: 600_000,
    });
    const jobId = await add(h, leads, leadEvent(recordId));
    await waitFor(async () => (await h.sim.control.faults()).length === 0, { timeoutMs: 60_000, what: "A's create to be held" });
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ entityId: null, createIntentAt: expect.any(Date) });

    await h.start(PATIENT);
    await loseLocks(h, jobId, recordId);
    // B reads the row A left (a create intent, no client yet), looks for the client and waits for it to show
    // (a B that created a client of its own instead would show as a second create).
    await waitFor(async () => (await listCalls(h)) >= 1 || (await creates()).length > 1, { timeoutMs: 60_000, what: "B's MissionX step" });

    // B's next try starts with reading the lead: held until A has finished, so the order is fixed.
    await h.sim.control.injectFault({ service: 'aitable', method: 'GET', pathIncludes: DS.leads, count: 1, kind: 'hang', hangMs: 600_000 });
    await h.sim.control.releaseHeld();
    await waitFor(async () => (await syncRow(h, DS.leads, recordId))?.syncStatus === 'success', { timeoutMs: 60_000, what: 'A to finish' });
    // (A B that did not wait for A's client has finished already.)
    await waitFor(async () => (await h.sim.control.faults()).length === 0 || (await h.queues[leads].getJobState(jobId)) === 'completed', {
      timeoutMs: 60_000,
      what: "B's next try",
    });
    await h.sim.control.releaseHeld();

    expect((await settled(h, leads, jobId, 60_000)).state).toBe('completed');
    const portals = await clientsOf(h, recordId);
    expect(portals).toHaveLength(1);
    expect(await creates()).toHaveLength(1);
    const urlWrites = (await h.sim.control.requests({ service: 'aitable', method: 'PATCH', pathIncludes: DS.leads })).filter((r) =>
      (r.body as { records: { recordId: string; fields: Record<string, unknown> }[] }).records.some(
        (u) => u.recordId === recordId && 'Portal URL' in u.fields,
      ),
    );
    expect(urlWrites).toHaveLength(1);
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'success', entityId: portals[0]!._id });
  }, 240_000);
});

/**
 * What the promoted replica shows after such a failover: the job waiting again, no job lock, no
 * record lock. BullMQ's own move back to wait (with the lock's token) drops the job lock; the record
 * lock is deleted like any key the replica never received.
 */
async function loseLocks(h: Harness, jobId: string, recordId: string): Promise<void> {
  const queue = h.queues[JOBS.leads.name];
  const token = await h.redis.get(`${h.prefix}:${JOBS.leads.name}:${jobId}:lock`);
  expect(token).toEqual(expect.any(String));
  await (await queue.getJob(jobId))!.moveToWait(token!);
  expect(await h.redis.del(`${h.prefix}:lock:${DS.leads}:${recordId}`)).toBe(1);
}
