import { add, addLead, auditJob, createHarness, DS, leadEvent, orderEvent, recordOf, settled, syncRow, type Harness } from './harness';

describe('order and audit result flows', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
    await h.start();
  });
  afterAll(() => h.close());

  const addOrder = async (fields: Record<string, unknown>) =>
    (await h.sim.control.addRecord(DS.orders, { 'Order Number': 'SO-1', ...fields })).recordId;
  const portalsOf = async (customId: string) => (await h.sim.control.missionxClients()).filter((c) => c.customId === customId);

  it('when an order is updated to Won and its lead has no portal yet, then the portal is created once and shown on the lead and the order', async () => {
    const leadId = await addLead(h);
    const orderId = await addOrder({ Status: 'Won', Lead: [leadId] });
    const { state, job } = await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.updated' })));

    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('activated');
    const portals = await portalsOf(leadId);
    expect(portals).toHaveLength(1);
    const portalUrl = `https://app.missionx.ai/portal/${portals[0]!._id}`;
    expect((await recordOf(h, DS.orders, orderId))?.fields).toMatchObject({ 'Portal URL': { text: portalUrl }, 'Portal Status': 'Active' });
    expect((await recordOf(h, DS.leads, leadId))?.fields).toMatchObject({ 'Portal URL': { text: portalUrl }, 'Portal Status': 'Active' });
    expect(await syncRow(h, DS.orders, orderId)).toMatchObject({ syncStatus: 'success', entityType: 'order', entityId: portals[0]!._id });
    expect(await syncRow(h, DS.leads, leadId)).toMatchObject({ syncStatus: 'success', entityType: 'lead', entityId: portals[0]!._id });
  });

  it('when an order is created for a lead that already has a portal, then the same portal is used, found by the sync row alone', async () => {
    const leadId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(leadId)));
    const [portal] = await portalsOf(leadId);
    const since = Date.now();
    const orderId = await addOrder({ Status: 'Pending', Lead: [leadId] });
    const { state } = await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.created' })));
    expect(state).toBe('completed');
    expect(await portalsOf(leadId)).toEqual([expect.objectContaining({ _id: portal!._id })]);
    // No customId filter exists: the lead's sync row names its client, so no list, no create.
    expect((await h.sim.control.requests({ service: 'missionx' })).filter((r) => r.at >= since && r.path.includes('/v2/'))).toEqual([]);
    expect(await syncRow(h, DS.orders, orderId)).toMatchObject({ syncStatus: 'success', entityId: portal!._id });
  });

  it('when an order is updated to a status other than Won/Active, then it is recorded with no side effects', async () => {
    const leadId = await addLead(h);
    const orderId = await addOrder({ Status: 'Cancelled', Lead: [leadId] });
    const before = await h.sim.control.requests({ service: 'missionx' });
    const { job } = await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.updated' })));
    expect(job.returnvalue).toBe('recorded');
    expect(await h.sim.control.requests({ service: 'missionx' })).toHaveLength(before.length);
    expect((await recordOf(h, DS.orders, orderId))?.fields['Portal URL']).toBeUndefined();
    const row = await syncRow(h, DS.orders, orderId);
    expect(row).toMatchObject({ syncStatus: 'success', entityId: null });
    expect(row?.metadata).toMatchObject({ status: 'Cancelled', action: 'none' });
  });

  it('when a Won order links no lead, then it fails at once with an error naming the Lead field', async () => {
    const orderId = await addOrder({ Status: 'Won' });
    const { state, job } = await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.updated' })));
    expect(state).toBe('failed');
    expect(job.failedReason).toContain('"Lead"');
    expect(await syncRow(h, DS.orders, orderId)).toMatchObject({ syncStatus: 'failed', errorMessage: expect.stringContaining('"Lead"') });
  });

  it('when our write-back to an order comes back as an update, then it is skipped', async () => {
    const leadId = await addLead(h);
    const orderId = await addOrder({ Status: 'Active', Lead: [leadId] });
    await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.updated' })));
    const { job } = await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.updated' })));
    expect(job.returnvalue).toBe('skipped_own_write_back');
  });

  it('when an order is deleted, then its sync row becomes inactive and nothing is called', async () => {
    const orderId = await addOrder({ Status: 'Won' });
    const before = (await h.sim.control.requests()).length;
    const { job } = await settled(h, 'orders', await add(h, 'orders', orderEvent(orderId, { eventType: 'record.deleted' })));
    expect(job.returnvalue).toBe('deactivated');
    expect((await h.sim.control.requests()).length).toBe(before);
    expect(await syncRow(h, DS.orders, orderId)).toMatchObject({ active: false, syncStatus: 'success' });
  });

  it('when an audit result is submitted, then one Audit Results record linked to the order holds it and the sync row points at it', async () => {
    const orderId = await addOrder({ Status: 'Won' });
    const input = auditJob(orderId);
    const { state, job } = await settled(h, 'audit-results', await add(h, 'audit-results', input));
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('created');
    const records = (await h.sim.control.records(DS.audit)).filter((r) => r.fields['Audit ID'] === input.auditId);
    expect(records).toHaveLength(1);
    expect(records[0]!.fields).toMatchObject({
      'File Name': 'payroll-2026-10.xlsx',
      'Employees Processed': 120,
      'Corrections Made': 7,
      'Processing Status': 'Completed',
      Order: [orderId],
      'Corrected File URL': expect.objectContaining({ text: input.correctedFileUrl }),
    });
    expect(await syncRow(h, DS.audit, input.auditId, 'app_to_aitable')).toMatchObject({
      syncStatus: 'success',
      entityType: 'audit_result',
      entityId: records[0]!.recordId,
    });
  });

  it('when the same audit id is submitted again with a new status, then the record is updated, not duplicated', async () => {
    const orderId = await addOrder({ Status: 'Won' });
    const first = auditJob(orderId, { auditId: 'audit "quoted" \\ id', status: 'processing' });
    await settled(h, 'audit-results', await add(h, 'audit-results', first));
    const { job } = await settled(
      h,
      'audit-results',
      await add(h, 'audit-results', { ...first, deliveryId: `${first.deliveryId}-2`, status: 'completed', correctionsMade: 9 }),
    );
    expect(job.returnvalue).toBe('updated');
    const records = (await h.sim.control.records(DS.audit)).filter((r) => r.fields['Audit ID'] === first.auditId);
    expect(records).toHaveLength(1);
    expect(records[0]!.fields).toMatchObject({ 'Processing Status': 'Completed', 'Corrections Made': 9 });
  });

  it('when an audit result names an order that does not exist, then it fails at once and the sync row says why', async () => {
    const input = auditJob('recNoSuchOrder1');
    const { state } = await settled(h, 'audit-results', await add(h, 'audit-results', input));
    expect(state).toBe('failed');
    expect(await syncRow(h, DS.audit, input.auditId, 'app_to_aitable')).toMatchObject({
      syncStatus: 'failed',
      errorMessage: expect.stringContaining('aitable_'),
    });
    expect((await h.sim.control.records(DS.audit)).filter((r) => r.fields['Audit ID'] === input.auditId)).toEqual([]);
  });

  it('when the Audit Results datasheet sends a webhook, then it is recorded and nothing is written', async () => {
    const before = (await h.sim.control.requests()).length;
    const { state, job } = await settled(
      h,
      'audit-results',
      await add(h, 'audit-results', leadEvent('recAudit1', { datasheetId: DS.audit })),
    );
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('recorded');
    expect((await h.sim.control.requests()).length).toBe(before);
  });
});
