import { AGREED_BY } from '@bridge/db';
import { resolveConflict } from '@bridge/ops';
import { createMissionxPollQueue } from '@bridge/queues';
import { waitFor } from '@bridge/testkit';
import { add, addLead, createHarness, DS, leadEvent, recordOf, settled, syncRow, type Harness } from './harness';

/** Issue 16 point 3: one fact changed on both sides since the last sync (AITable by a person, MissionX in its web app). */
const INTERVAL_MS = 2000;

describe('a fact both sides changed since the last sync', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
    await h.start({ MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) });
  });
  afterAll(async () => {
    await h.stop();
    await h.close();
  });

  async function syncedLead(): Promise<{ recordId: string; clientId: string }> {
    const recordId = await addLead(h);
    expect((await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)))).state).toBe('completed');
    return { recordId, clientId: (await syncRow(h, DS.leads, recordId))!.entityId! };
  }

  const cell = async (recordId: string, field: string) => (await recordOf(h, DS.leads, recordId))?.fields[field];
  const shows = (recordId: string, field: string, value: string, what: string) =>
    waitFor(async () => ((await cell(recordId, field)) === value ? true : undefined), { timeoutMs: 3 * INTERVAL_MS, what });
  const owned = (recordId: string, field: string, value: string) =>
    waitFor(
      async () => (((await syncRow(h, DS.leads, recordId))?.ownedValues as Record<string, unknown>)[field] === value ? true : undefined),
      {
        timeoutMs: 3 * INTERVAL_MS,
        what: `the sync row to hold ${field} ${value}`,
      },
    );
  const aitableWritesTo = async (recordId: string, since: number) =>
    (await h.sim.control.requests({ service: 'aitable', method: 'PATCH', pathIncludes: `/datasheets/${DS.leads}/records` })).filter(
      (r) => r.at >= since && JSON.stringify(r.body).includes(recordId),
    ).length;
  const missionxWrites = async (since: number) =>
    (await h.sim.control.requests({ service: 'missionx' })).filter((r) => r.at >= since && r.method !== 'GET' && !r.path.includes('/auth/'))
      .length;
  const conflictsOf = (recordId: string) => h.prisma.syncConflict.findMany({ where: { recordId }, orderBy: { detectedAt: 'asc' } });

  /** Two more completed poll runs: what the poll would write, it has written by then. */
  async function twoMorePolls(): Promise<void> {
    const queue = createMissionxPollQueue({ connection: h.redis, prefix: h.prefix });
    try {
      const runs = await queue.getJobCountByTypes('completed');
      await waitFor(async () => ((await queue.getJobCountByTypes('completed')) >= runs + 2 ? true : undefined), {
        timeoutMs: 4 * INTERVAL_MS,
        what: 'two more polls',
      });
    } finally {
      await queue.close();
    }
  }

  it('when a person marks the lead Lost while MissionX unarchives its client (manual), then the poll holds both sides with their times, writes nowhere, and "take MissionX" writes what MissionX says', async () => {
    const { recordId, clientId } = await syncedLead();
    await h.sim.control.editMissionxClient(clientId, { archived: true });
    await shows(recordId, 'Portal Status', 'Inactive', 'the archive on the lead');
    await owned(recordId, 'Portal Status', 'Inactive');
    // Since that sync: a person sets the lead Lost (no webhook reaches us), MissionX unarchives the client.
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Portal Status': 'Lost' });
    const personAt = (await recordOf(h, DS.leads, recordId))!.updatedAt;
    const since = Date.now();
    const unarchived = await h.sim.control.editMissionxClient(clientId, { archived: false });
    const [held] = await waitFor(async () => ((await conflictsOf(recordId)).length > 0 ? conflictsOf(recordId) : undefined), {
      timeoutMs: 3 * INTERVAL_MS,
      what: 'the conflict',
    });
    expect(held).toMatchObject({
      field: 'Portal Status',
      aitableValue: 'Lost',
      bridgeValue: 'Inactive',
      missionxValue: 'Active',
      policy: 'manual',
      outcome: 'held',
    });
    expect(held!.aitableAt?.getTime()).toBe(personAt);
    expect(held!.missionxAt?.toISOString()).toBe(unarchived.updatedAt);
    await twoMorePolls();
    expect(await cell(recordId, 'Portal Status')).toBe('Lost');
    expect(await aitableWritesTo(recordId, since)).toBe(0);
    expect(await missionxWrites(since)).toBe(0);
    expect(await conflictsOf(recordId)).toHaveLength(1);

    const resolvedSince = Date.now();
    const resolved = await resolveConflict(h.prisma, h.queues, held!.id, 'missionx', 'test-operator');
    expect((await settled(h, 'leads', resolved.jobId!)).state).toBe('completed');
    expect(await cell(recordId, 'Portal Status')).toBe('Active');
    expect(await aitableWritesTo(recordId, resolvedSince)).toBe(1);
    expect(await missionxWrites(resolvedSince)).toBe(0);
    await twoMorePolls();
    expect(await conflictsOf(recordId)).toHaveLength(1);
    expect(await aitableWritesTo(recordId, resolvedSince)).toBe(1);
  });

  it("when a person types a Project Status while MissionX changes the project (bridge-wins), then the poll records both sides and writes MissionX's value once", async () => {
    const { recordId, clientId } = await syncedLead();
    const project = await h.sim.control.createMissionxProject({ title: 'Audit 2027', client: clientId, projectStatus: 'open' });
    await shows(recordId, 'Project Status', 'open', 'the project on the lead');
    await owned(recordId, 'Project Status', 'open');
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Project Status': 'completed' });
    const since = Date.now();
    const changed = await h.sim.control.editMissionxProject(project._id, { projectStatus: 'cancelled' });
    await shows(recordId, 'Project Status', 'cancelled', "MissionX's status on the lead");
    const [c] = await conflictsOf(recordId);
    expect(c).toMatchObject({
      field: 'Project Status',
      aitableValue: 'completed',
      bridgeValue: 'open',
      missionxValue: 'cancelled',
      policy: 'bridge-wins',
      outcome: 'restored',
    });
    expect(c!.missionxAt?.toISOString()).toBe(changed.updatedAt);
    expect(c!.aitableAt).not.toBeNull();
    await twoMorePolls();
    expect(await aitableWritesTo(recordId, since)).toBe(1);
    expect(await missionxWrites(since)).toBe(0);
    expect(await conflictsOf(recordId)).toHaveLength(1);
  });

  it("when the lead worker holds a hand-set Portal Status first and MissionX then archives the client, then the poll adds MissionX's side to the held conflict", async () => {
    const { recordId, clientId } = await syncedLead();
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Portal Status': 'Lost' });
    const fields = (await recordOf(h, DS.leads, recordId))!.fields;
    const since = Date.now();
    expect((await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated', fields })))).state).toBe(
      'completed',
    );
    const [first] = await conflictsOf(recordId);
    expect(first).toMatchObject({
      field: 'Portal Status',
      aitableValue: 'Lost',
      bridgeValue: 'Active',
      missionxValue: null,
      outcome: 'held',
    });
    const archived = await h.sim.control.editMissionxClient(clientId, { archived: true });
    const noted = await waitFor(async () => (await conflictsOf(recordId)).find((c) => c.missionxValue !== null) ?? undefined, {
      timeoutMs: 3 * INTERVAL_MS,
      what: "MissionX's side on the held conflict",
    });
    expect(noted).toMatchObject({ id: first!.id, missionxValue: 'Inactive', outcome: 'held' });
    expect(noted.missionxAt?.toISOString()).toBe(archived.updatedAt);
    await twoMorePolls();
    expect(await cell(recordId, 'Portal Status')).toBe('Lost');
    expect(await aitableWritesTo(recordId, since)).toBe(0);
    expect(await missionxWrites(since)).toBe(0);
    expect(await conflictsOf(recordId)).toHaveLength(1);
  });

  it('when MissionX then changes a held fact to what the person set, then both sides agree: the conflict closes and nothing is written', async () => {
    const { recordId, clientId } = await syncedLead();
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Portal Status': 'Inactive' });
    const fields = (await recordOf(h, DS.leads, recordId))!.fields;
    const since = Date.now();
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated', fields })));
    expect((await conflictsOf(recordId)).map((c) => c.outcome)).toEqual(['held']);
    await h.sim.control.editMissionxClient(clientId, { archived: true });
    const closed = await waitFor(async () => (await conflictsOf(recordId)).find((c) => c.outcome !== 'held'), {
      timeoutMs: 3 * INTERVAL_MS,
      what: 'the held conflict to close',
    });
    expect(closed).toMatchObject({ missionxValue: 'Inactive', outcome: 'resolved_aitable', resolvedBy: AGREED_BY });
    await owned(recordId, 'Portal Status', 'Inactive');
    await twoMorePolls();
    expect(await cell(recordId, 'Portal Status')).toBe('Inactive');
    expect(await aitableWritesTo(recordId, since)).toBe(0);
    expect(await missionxWrites(since)).toBe(0);
    expect(await conflictsOf(recordId)).toHaveLength(1);
  });

  it('when both sides changed the fact to the same value, then it is no conflict: nothing is written and the value becomes ours', async () => {
    const { recordId, clientId } = await syncedLead();
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Portal Status': 'Inactive' });
    const since = Date.now();
    await h.sim.control.editMissionxClient(clientId, { archived: true });
    await owned(recordId, 'Portal Status', 'Inactive');
    await twoMorePolls();
    expect(await conflictsOf(recordId)).toEqual([]);
    expect(await aitableWritesTo(recordId, since)).toBe(0);
    expect(await missionxWrites(since)).toBe(0);
  });
  it('when a lead job died between creating the client and writing the lead, then the poll takes the empty Portal Status for no hand edit', async () => {
    const recordId = await addLead(h);
    const client = await h.sim.control.createMissionxClient({
      title: 'Half Synced Ltd',
      customId: recordId,
      emailDomains: ['half.example'],
    });
    // What the killed job left: the row names the client, nothing was written to the lead, no sync finished.
    await h.prisma.aITableSync.create({
      data: {
        datasheetId: DS.leads,
        recordId,
        syncDirection: 'aitable_to_app',
        entityType: 'lead',
        entityId: client._id,
        syncStatus: 'pending',
      },
    });
    const since = Date.now();
    await h.sim.control.editMissionxClient(client._id, { archived: true });
    await shows(recordId, 'Portal Status', 'Inactive', 'the archive on the half-synced lead');
    expect(await conflictsOf(recordId)).toEqual([]);
    expect(await aitableWritesTo(recordId, since)).toBe(1);
  });
});
