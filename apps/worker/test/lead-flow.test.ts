import {
  add,
  addLead,
  clientsOf,
  createHarness,
  DS,
  FOREIGN_CLIENTS,
  leadEvent,
  listCalls,
  recordOf,
  settled,
  syncRow,
  type Harness,
} from './harness';

describe('lead flow', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
    await h.start();
  });
  afterAll(() => h.close());

  it('when a lead is created with its fields in the event, then one portal exists, the lead shows it and the sync row succeeded', async () => {
    const recordId = await addLead(h);
    const started = Date.now();
    const event = leadEvent(recordId, {
      fields: { 'Client Name': 'Ada Lovelace', Email: 'ada@analytical.example', Company: 'Analytical Engines' },
    });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', event));

    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('synced');
    const clients = (await h.sim.control.missionxClients()).filter((c) => c.customId === recordId);
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ title: 'Analytical Engines', emailDomains: ['analytical.example'] });
    const portalUrl = `https://app.missionx.ai/portal/${clients[0]!._id}`;
    expect((await recordOf(h, DS.leads, recordId))?.fields).toMatchObject({ 'Portal URL': { text: portalUrl }, 'Portal Status': 'Active' });
    const row = await syncRow(h, DS.leads, recordId);
    expect(row).toMatchObject({
      syncStatus: 'success',
      entityType: 'lead',
      entityId: clients[0]!._id,
      retryCount: 0,
      active: true,
      errorMessage: null,
      lastJobId: job.id,
      lastRequestId: event.requestId,
    });
    expect(row?.metadata).toMatchObject({ portalUrl });
    expect(row?.lastSyncedAt).toBeInstanceOf(Date);
    // The record is the truth, not the event (issue 16): it is read once, by recordIds, before MissionX is written.
    const reads = await h.sim.control.requests({ service: 'aitable', method: 'GET', pathIncludes: '/records' });
    expect(reads.map((r) => r.query.recordIds)).toEqual([recordId]);
    // A new lead costs no MissionX list call, among the organisation's other clients.
    expect(await listCalls(h, started)).toBe(0);
    expect((await h.sim.control.missionxClients()).length).toBeGreaterThan(FOREIGN_CLIENTS);
    // The sync row is the index: the client id is recorded, no create is left pending.
    expect(row).toMatchObject({ createIntentAt: null });
  });

  it('when the event carries only ids, then the lead is fetched from AITable and the portal title falls back to Client Name', async () => {
    const recordId = await addLead(h, { Company: null, 'Client Name': 'Grace Hopper', Email: 'grace@navy.example' });
    const { state } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: undefined })));
    expect(state).toBe('completed');
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toEqual([
      expect.objectContaining({ title: 'Grace Hopper', emailDomains: ['navy.example'] }),
    ]);
    const fetched = await h.sim.control.requests({ service: 'aitable', method: 'GET', pathIncludes: DS.leads });
    expect(fetched.some((r) => String(r.query.recordIds) === recordId)).toBe(true);
  });

  it('when the event carries automation-format values (select objects, link objects), then they are read like API values', async () => {
    const recordId = await addLead(h);
    const fields = {
      'Client Name': [{ text: 'Ada' }],
      Email: 'ADA@Analytical.Example',
      Company: 'Analytical Engines',
      'Portal Status': { id: 'opt1', name: 'Pending', color: 0 },
    };
    const { state } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { fields })));
    expect(state).toBe('completed');
    expect((await h.sim.control.missionxClients()).find((c) => c.customId === recordId)?.emailDomains).toEqual(['analytical.example']);
  });

  it('when an update arrives caused by our own write-back, then it is skipped without calling MissionX or AITable', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    const afterSync = (await h.sim.control.requests()).length;
    const lead = await recordOf(h, DS.leads, recordId);
    // What a "record matches conditions" automation sends after our PATCH: same inputs, our portal fields.
    const echo = leadEvent(recordId, {
      eventType: 'record.updated',
      fields: { ...lead!.fields, 'Portal URL': (lead!.fields['Portal URL'] as { text: string }).text },
    });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', echo));
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('skipped_own_write_back');
    expect((await h.sim.control.requests()).length).toBe(afterSync);
    expect(h.logLines.some((l) => l.jobId === job.id && String(l.message).includes('skipped'))).toBe(true);
  });

  it('when an update changes the company, then the same portal is renamed and no second portal is made', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { Company: 'Difference Engines Ltd' });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated' })));
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('synced');
    const clients = (await h.sim.control.missionxClients()).filter((c) => c.customId === recordId);
    expect(clients).toEqual([expect.objectContaining({ title: 'Difference Engines Ltd' })]);
    expect(await h.sim.control.requests({ service: 'missionx', method: 'PATCH' })).toHaveLength(1);
  });

  it('when a user clears the Portal URL, then the next update writes it back although no input changed', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { 'Portal URL': null });
    const { job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated' })));
    expect(job.returnvalue).toBe('synced');
    expect((await recordOf(h, DS.leads, recordId))?.fields['Portal URL']).toEqual(
      expect.objectContaining({ text: expect.stringContaining('https://app.missionx.ai/portal/') }),
    );
  });

  it('when a lead is deleted, then its portal loses its email domains, the sync row is inactive and remembers them', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    const [client] = await clientsOf(h, recordId);
    // A person gave a second domain access in MissionX; deleting the lead takes both away.
    await h.sim.control.editMissionxClient(client!._id, { emailDomains: ['analytical.example', 'babbage.example'] });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.deleted' })));
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('deactivated');
    expect(await clientsOf(h, recordId)).toEqual([expect.objectContaining({ _id: client!._id, emailDomains: [], archived: false })]);
    const row = await syncRow(h, DS.leads, recordId);
    expect(row).toMatchObject({ active: false, syncStatus: 'success', entityId: client!._id });
    expect(row?.removedEmailDomains).toEqual(['analytical.example', 'babbage.example']);
    // Deleting again changes nothing and forgets nothing.
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.deleted' })));
    expect((await syncRow(h, DS.leads, recordId))?.removedEmailDomains).toEqual(['analytical.example', 'babbage.example']);
  });

  it('when a deleted lead comes back, then the same portal gets its email domains back and the row is active again', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    const [client] = await clientsOf(h, recordId);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.deleted' })));
    expect((await clientsOf(h, recordId))[0]?.emailDomains).toEqual([]);
    const since = Date.now();
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.created' })));
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('synced');
    expect(await clientsOf(h, recordId)).toEqual([expect.objectContaining({ _id: client!._id, emailDomains: ['analytical.example'] })]);
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ active: true, syncStatus: 'success', removedEmailDomains: null });
    expect(await listCalls(h, since)).toBe(0);
  });

  it('when a lead that never got a portal is deleted, then MissionX is not called at all', async () => {
    const recordId = await addLead(h, { Email: null });
    const since = Date.now();
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    const { job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.deleted' })));
    expect(job.returnvalue).toBe('deactivated');
    expect((await h.sim.control.requests({ service: 'missionx' })).filter((r) => r.at >= since && r.path.includes('/v2/'))).toEqual([]);
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ active: false, entityId: null });
  });

  it('when a lead has no Email, then the job fails at once with an error naming the field, and the sync row is failed', async () => {
    const recordId = await addLead(h, { Email: null });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('"Email"');
    const row = await syncRow(h, DS.leads, recordId);
    expect(row).toMatchObject({ syncStatus: 'failed', retryCount: 1 });
    expect(row?.errorMessage).toContain('"Email"');
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toEqual([]);
  });

  it('when AITable answers HTTP 200 with success:false for an unknown record, then the job fails at once, permanently', async () => {
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent('recDoesNotExist1', { eventType: undefined })));
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/no record recDoesNotExist1/);
    const row = await syncRow(h, DS.leads, 'recDoesNotExist1');
    expect(row).toMatchObject({ syncStatus: 'failed', retryCount: 1 });
    expect(row?.errorMessage).toMatch(/aitable_record_not_found: .*recDoesNotExist1/);
  });

  it('when five events for one record run at concurrency five, then one portal is created', async () => {
    const recordId = await addLead(h);
    const ids = await Promise.all(Array.from({ length: 5 }, () => add(h, 'leads', leadEvent(recordId))));
    const results = await Promise.all(ids.map((id) => settled(h, 'leads', id)));
    expect(results.map((r) => r.state)).toEqual(Array(5).fill('completed'));
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
    expect(
      await h.sim.control
        .requests({ service: 'missionx', method: 'POST', pathIncludes: '/clients' })
        .then((r) => r.filter((x) => (x.body as { customId?: string }).customId === recordId)),
    ).toHaveLength(1);
    // Busy-record delays spend no attempt.
    expect(results.map((r) => r.job.attemptsMade)).toEqual([1, 1, 1, 1, 1]);
  });

  it('when a job runs, then each of its log lines carries the request id, queue, job id and record id', async () => {
    const recordId = await addLead(h);
    const event = leadEvent(recordId);
    const { job } = await settled(h, 'leads', await add(h, 'leads', event));
    const lines = h.logLines.filter((l) => l.jobId === job.id);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatchObject({ requestId: event.requestId, queue: 'leads', jobId: job.id, recordId });
  });
});
