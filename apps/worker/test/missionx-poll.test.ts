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
      // The sync row is written just after the lead: wait for it rather than read it once.
      const owned = await waitFor(
        async () => {
          const values = (await syncRow(h, DS.leads, recordId))?.ownedValues as Record<string, unknown> | undefined;
          return values?.['Portal Status'] === 'Active' ? values : undefined;
        },
        { timeoutMs: 2 * INTERVAL_MS, what: 'the sync row to hold the unarchived status' },
      );
      expect(owned).toMatchObject({ 'Portal Status': 'Active', 'Project Status': 'completed' });
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

  it('when a person set Portal Status by hand (no webhook reached us) and MissionX then archives the client, then the poll holds the field as a conflict instead of overwriting it', async () => {
    await h.start({ MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) });
    try {
      const { recordId, clientId } = await syncedLead();
      await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Portal Status': 'Failed' });
      const since = Date.now();
      await h.sim.control.editMissionxClient(clientId, { archived: true });
      const held = await waitFor(
        async () => (await h.prisma.syncConflict.findMany({ where: { recordId } })).find((c) => c.outcome === 'held'),
        { timeoutMs: 3 * INTERVAL_MS, what: 'the conflict to be recorded' },
      );
      // Both sides changed the fact since the last sync: MissionX's value is on the conflict too.
      expect(held).toMatchObject({
        field: 'Portal Status',
        aitableValue: 'Failed',
        bridgeValue: 'Active',
        missionxValue: 'Inactive',
        policy: 'manual',
      });
      const runs = await runsDone();
      await waitFor(async () => ((await runsDone()) > runs ? true : undefined), { timeoutMs: 3 * INTERVAL_MS, what: 'another poll' });
      expect((await recordOf(h, DS.leads, recordId))?.fields['Portal Status']).toBe('Failed');
      expect(await aitableWritesTo(recordId, since)).toBe(0);
      expect(await h.prisma.syncConflict.count({ where: { recordId } })).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it('when our own poll write comes back as a webhook, then it makes no MissionX write and no AITable write', async () => {
    await h.start({ MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) });
    try {
      const { recordId, clientId } = await syncedLead();
      await h.sim.control.editMissionxClient(clientId, { archived: true });
      const archived = await waitFor(
        async () => {
          const r = await recordOf(h, DS.leads, recordId);
          return r?.fields['Portal Status'] === 'Inactive' ? r : undefined;
        },
        { timeoutMs: 3 * INTERVAL_MS, what: 'the archived portal on the lead' },
      );
      const since = Date.now();
      // What AITable's automation sends after our write: the record with the values we wrote.
      const { state, job } = await settled(
        h,
        'leads',
        await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated', fields: archived.fields })),
      );
      expect(state).toBe('completed');
      expect(job.returnvalue).toBe('skipped_own_write_back');
      expect(await missionxWrites(since)).toBe(0);
      expect(await aitableWritesTo(recordId, since)).toBe(0);
      expect((await recordOf(h, DS.leads, recordId))?.fields['Portal Status']).toBe('Inactive');
    } finally {
      await h.stop();
    }
  });

  it("when the bridge writes a lead change to MissionX, then the client's moved updatedAt makes the next polls write nothing to AITable", async () => {
    await h.start({ MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) });
    try {
      const { recordId, clientId } = await syncedLead();
      await h.sim.control.updateRecordAsUser(DS.leads, recordId, { Company: 'Difference Engines' });
      const fields = (await recordOf(h, DS.leads, recordId))!.fields;
      const since = Date.now();
      const { state } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { fields })));
      expect(state).toBe('completed');
      expect(await missionxWrites(since)).toBe(1);
      const client = (await h.sim.control.missionxClients()).find((c) => c._id === clientId)!;
      expect(client.title).toBe('Difference Engines');
      // The poll passes the client's new updatedAt, and more runs follow.
      await waitFor(
        () =>
          readPollCursor(h.redis, pollCursorKey(h.prefix, 'clients')).then((c) =>
            c && Date.parse(c.at) >= Date.parse(client.updatedAt) ? c : undefined,
          ),
        { timeoutMs: 3 * INTERVAL_MS, what: 'the poll to pass the changed client' },
      );
      expect(await aitableWritesTo(recordId, since)).toBe(0);
    } finally {
      await h.stop();
    }
  });

  it('when an old signed body of the lead is replayed after a newer change, then it alters nothing: the record, not the event, is what MissionX gets', async () => {
    await h.start();
    try {
      const { recordId, clientId } = await syncedLead();
      const old = (await recordOf(h, DS.leads, recordId))!.fields;
      await h.sim.control.updateRecordAsUser(DS.leads, recordId, { Company: 'Newer Company', Email: 'ada@newer.example' });
      const newer = (await recordOf(h, DS.leads, recordId))!.fields;
      expect((await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { fields: newer })))).state).toBe('completed');
      const since = Date.now();
      // The captured update, and the captured creation (always acted on): both read the record as it is now.
      const replayed = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated', fields: old })));
      expect(replayed.state).toBe('completed');
      expect(replayed.job.returnvalue).toBe('skipped_own_write_back');
      expect((await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { fields: old })))).state).toBe('completed');
      expect(await missionxWrites(since)).toBe(0);
      expect(await aitableWritesTo(recordId, since)).toBe(0);
      const client = (await h.sim.control.missionxClients()).find((c) => c._id === clientId)!;
      expect(client).toMatchObject({ title: 'Newer Company', emailDomains: ['newer.example'] });
    } finally {
      await h.stop();
    }
  });

  it('when AITable answers a read older than the one last synced, then the event changes nothing', async () => {
    await h.start();
    try {
      const { recordId, clientId } = await syncedLead();
      const row = await syncRow(h, DS.leads, recordId);
      expect(row?.recordUpdatedAt).toBeInstanceOf(Date);
      // As if a later change had been synced already and AITable's read still lagged behind it.
      await h.prisma.aITableSync.update({ where: { id: row!.id }, data: { recordUpdatedAt: new Date(Date.now() + 3600_000) } });
      await h.sim.control.updateRecordAsUser(DS.leads, recordId, { Company: 'Lagging Read' });
      const since = Date.now();
      const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated' })));
      expect(state).toBe('completed');
      expect(job.returnvalue).toBe('skipped_stale');
      expect(await missionxWrites(since)).toBe(0);
      expect((await h.sim.control.missionxClients()).find((c) => c._id === clientId)?.title).not.toBe('Lagging Read');
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
