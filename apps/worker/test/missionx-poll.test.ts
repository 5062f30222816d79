import { createMissionxPollQueue, MISSIONX_POLL_SCHEDULER_ID } from '@bridge/queues';
import { waitFor } from '@bridge/testkit';
import { pollCursorKey, readPollCursor } from '../src/use-cases/poll-missionx';
import { add, addLead, createHarness, DS, leadEvent, recordOf, settled, syncRow, type Harness } from './harness';

/** The poll interval of these tests: the bound is "within two poll intervals". */
const INTERVAL_MS = 2000;

describe('MissionX → AITable by polling', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** A lead synced by the bridge, and its MissionX client id. */
  async function syncedLead(): Promise<{ recordId: string; clientId: string }> {
    const recordId = await addLead(h);
    const { state } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    expect(state).toBe('completed');
    const row = await syncRow(h, DS.leads, recordId);
    return { recordId, clientId: row!.entityId! };
  }

  /** The number of completed poll runs. */
  async function runsDone(): Promise<number> {
    const queue = createMissionxPollQueue({ connection: h.redis, prefix: h.prefix });
    try {
      return await queue.getJobCountByTypes('completed');
    } finally {
      await queue.close();
    }
  }

  const aitableWritesTo = async (recordId: string, since: number) =>
    (await h.sim.control.requests({ service: 'aitable', method: 'PATCH', pathIncludes: `/datasheets/${DS.leads}/records` })).filter(
      (r) => r.at >= since && JSON.stringify(r.body).includes(recordId),
    ).length;
  const missionxWrites = async (since: number) =>
    (await h.sim.control.requests({ service: 'missionx' })).filter((r) => r.at >= since && r.method !== 'GET' && !r.path.includes('/auth/'))
      .length;

  it('when a client of ours is archived and a project of it completed in MissionX, then its lead shows both within two poll intervals, with one AITable write each and no MissionX write; unarchived, it is Active again', async () => {
    await h.start({ MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) });
    try {
      await waitFor(() => readPollCursor(h.redis, pollCursorKey(h.prefix, 'clients')), { what: 'the clients cursor' });
      const { recordId, clientId } = await syncedLead();
      // Our client's own creation comes back to the poll as no write (Active was ours already).
      const created = await waitFor(
        () => readPollCursor(h.redis, pollCursorKey(h.prefix, 'clients')).then((c) => (c?.ids.includes(clientId) ? c : undefined)),
        {
          timeoutMs: 3 * INTERVAL_MS,
          what: 'the poll to pass our new client',
        },
      );
      expect(created.ids).toContain(clientId);
      const since = Date.now();
      await h.sim.control.editMissionxClient(clientId, { archived: true });
      await waitFor(async () => ((await recordOf(h, DS.leads, recordId))?.fields['Portal Status'] === 'Inactive' ? true : undefined), {
        timeoutMs: 2 * INTERVAL_MS,
        what: 'the lead to show the archived portal',
      });
      // One more run sees nothing new: still exactly one write.
      const runs = await runsDone();
      await waitFor(async () => ((await runsDone()) > runs ? true : undefined), { timeoutMs: 3 * INTERVAL_MS, what: 'another poll' });
      expect(await aitableWritesTo(recordId, since)).toBe(1);
      expect(await missionxWrites(since)).toBe(0);

      const projectSince = Date.now();
      const project = await h.sim.control.createMissionxProject({ title: 'Audit 2027', client: clientId });
      await h.sim.control.editMissionxProject(project._id, { projectStatus: 'completed' });
      await waitFor(async () => ((await recordOf(h, DS.leads, recordId))?.fields['Project Status'] === 'completed' ? true : undefined), {
        timeoutMs: 2 * INTERVAL_MS,
        what: 'the lead to show the completed project',
      });
      expect(await aitableWritesTo(recordId, projectSince)).toBe(1);
      expect(await missionxWrites(projectSince)).toBe(0);

      await h.sim.control.editMissionxClient(clientId, { archived: false });
      await waitFor(async () => ((await recordOf(h, DS.leads, recordId))?.fields['Portal Status'] === 'Active' ? true : undefined), {
        timeoutMs: 2 * INTERVAL_MS,
        what: 'the lead to show the unarchived portal',
      });
      const row = await syncRow(h, DS.leads, recordId);
      expect(row?.ownedValues).toMatchObject({ 'Portal Status': 'Active', 'Project Status': 'completed' });
    } finally {
      await h.stop();
    }
  });

  it('when an older project of the client changes after a newer one, then the lead keeps showing the newer project', async () => {
    await h.start({ MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) });
    try {
      const { recordId, clientId } = await syncedLead();
      const older = await h.sim.control.createMissionxProject({ title: 'First', client: clientId });
      await h.sim.control.createMissionxProject({ title: 'Second', client: clientId, projectStatus: 'open' });
      await waitFor(async () => ((await recordOf(h, DS.leads, recordId))?.fields['Project Status'] === 'open' ? true : undefined), {
        timeoutMs: 3 * INTERVAL_MS,
        what: 'the lead to show the latest project',
      });
      const since = Date.now();
      await h.sim.control.editMissionxProject(older._id, { projectStatus: 'cancelled' });
      const runs = await runsDone();
      await waitFor(async () => ((await runsDone()) >= runs + 2 ? true : undefined), {
        timeoutMs: 4 * INTERVAL_MS,
        what: 'two more polls',
      });
      expect((await recordOf(h, DS.leads, recordId))?.fields['Project Status']).toBe('open');
      expect(await aitableWritesTo(recordId, since)).toBe(0);
    } finally {
      await h.stop();
    }
  });

  it('when the interval is 0, then the schedule is removed', async () => {
    const queue = createMissionxPollQueue({ connection: h.redis, prefix: h.prefix });
    try {
      await h.start({ MISSIONX_POLL_INTERVAL_MS: '500' });
      expect(await queue.getJobScheduler(MISSIONX_POLL_SCHEDULER_ID)).toMatchObject({ every: 500 });
      await h.stop();
      await h.start({ MISSIONX_POLL_INTERVAL_MS: '0' });
      expect(await queue.getJobScheduler(MISSIONX_POLL_SCHEDULER_ID)).toBeUndefined();
    } finally {
      await h.stop();
      await queue.close();
    }
  });
});
