import { loadConfig } from '@bridge/config';
import { AUDIT_RESULTS_PATH, buildDeps, closeDeps, createApp, INGEST_SECTIONS, warmUp, type IngestDeps } from '@bridge/ingest';
import { signHmac } from '@bridge/webhooks';
import type { Express } from 'express';
import request from 'supertest';
import { addLead, createHarness, DS, recordOf, settled, syncRow, type Harness } from './harness';

const SECRET = 'e2e-webhook-secret-0123456789';
const AUDIT_TOKEN = 'e2e-audit-token-0123456789';

/** The whole path: a signed webhook (or an audit submission) to the real ingest app, the real worker, the simulators. */
describe('end to end: ingest → worker → MissionX and AITable', () => {
  let h: Harness;
  let ingest: IngestDeps;
  let app: Express;

  beforeAll(async () => {
    h = await createHarness();
    await h.start();
    const env = { ...h.env(), AITABLE_WEBHOOK_SECRET: SECRET, AUDIT_API_TOKEN: AUDIT_TOKEN, DELIVERY_FLUSH_MS: '20', LOG_LEVEL: 'silent' };
    ingest = buildDeps(loadConfig(env, INGEST_SECTIONS));
    await warmUp(ingest, 2000);
    app = createApp(ingest);
  });
  afterAll(async () => {
    await closeDeps(ingest);
    await h.close();
  });

  async function webhook(body: Record<string, unknown>, requestId: string) {
    const raw = JSON.stringify(body);
    const res = await request(app)
      .post('/api/aitable/webhook')
      .set('Content-Type', 'application/json')
      .set('X-AITable-Signature', signHmac(SECRET, raw))
      .set('X-Request-Id', requestId)
      .send(raw);
    expect(res.status).toBe(202);
    return res.body as { queue: 'leads' | 'orders' | 'audit-results'; jobId: string; duplicate: boolean };
  }

  it('when a signed lead webhook arrives, then the portal exists in MissionX, the lead shows its URL and the sync row succeeded', async () => {
    const recordId = await addLead(h);
    const fields = { 'Client Name': 'Ada Lovelace', Email: 'ada@analytical.example', Company: 'Analytical Engines' };
    const accepted = await webhook({ eventType: 'record.created', datasheetId: DS.leads, recordId, record: { fields } }, 'e2e-lead-1');
    expect(accepted.queue).toBe('leads');
    expect((await settled(h, 'leads', accepted.jobId)).state).toBe('completed');

    const [portal] = (await h.sim.control.missionxClients()).filter((c) => c.customId === recordId);
    expect(portal).toMatchObject({ title: 'Analytical Engines', emailDomains: ['analytical.example'] });
    expect((await recordOf(h, DS.leads, recordId))?.fields['Portal URL']).toMatchObject({
      text: `https://app.missionx.ai/portal/${portal!._id}`,
    });
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({
      syncStatus: 'success',
      entityId: portal!._id,
      lastRequestId: 'e2e-lead-1',
    });
    // The request id given to ingest is on every log line of the job.
    const lines = h.logLines.filter((l) => l.jobId === accepted.jobId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.requestId === 'e2e-lead-1' && l.queue === 'leads' && l.recordId === recordId)).toBe(true);
  });

  it('when a signed order webhook with only ids arrives for a Won order, then its lead gets a portal and the order shows it', async () => {
    const leadId = await addLead(h, { Company: 'Babbage & Co' });
    const { recordId: orderId } = await h.sim.control.addRecord(DS.orders, { 'Order Number': 'SO-42', Status: 'Won', Lead: [leadId] });
    const accepted = await webhook({ datasheetId: DS.orders, recordId: orderId }, 'e2e-order-1');
    expect(accepted.queue).toBe('orders');
    expect((await settled(h, 'orders', accepted.jobId)).state).toBe('completed');

    const portals = (await h.sim.control.missionxClients()).filter((c) => c.customId === leadId);
    expect(portals).toEqual([expect.objectContaining({ title: 'Babbage & Co' })]);
    expect((await recordOf(h, DS.orders, orderId))?.fields).toMatchObject({
      'Portal Status': 'Active',
      'Portal URL': { text: `https://app.missionx.ai/portal/${portals[0]!._id}` },
    });
    expect(await syncRow(h, DS.orders, orderId)).toMatchObject({
      syncStatus: 'success',
      entityId: portals[0]!._id,
      lastRequestId: 'e2e-order-1',
    });
  });

  it('when an ids-only update comes again after the first one failed, then it is new work: the lead linked in between gets its portal', async () => {
    // AITable sends the same bytes for every update of a record when the template holds only ids.
    const { recordId: orderId } = await h.sim.control.addRecord(DS.orders, { 'Order Number': 'SO-44', Status: 'Won' });
    const body = { eventType: 'record.updated', datasheetId: DS.orders, recordId: orderId };
    const first = await webhook(body, 'e2e-order-unlinked');
    expect((await settled(h, 'orders', first.jobId)).state).toBe('failed'); // order_missing_field: no lead yet

    const leadId = await addLead(h, { Company: 'Lovelace Ltd' });
    await h.sim.control.updateRecordAsUser(DS.orders, orderId, { Lead: [leadId] });
    const again = await webhook(body, 'e2e-order-linked');

    expect(again).toMatchObject({ duplicate: false });
    expect(again.jobId).not.toBe(first.jobId);
    expect((await settled(h, 'orders', again.jobId)).state).toBe('completed');
    expect((await recordOf(h, DS.orders, orderId))?.fields['Portal Status']).toBe('Active');
  });

  it('when the audit engine submits a result, then a linked Audit Results record exists and the app_to_aitable sync row points at it', async () => {
    const { recordId: orderId } = await h.sim.control.addRecord(DS.orders, { 'Order Number': 'SO-43', Status: 'Active' });
    const submission = {
      auditId: 'e2e-audit-1',
      orderRecordId: orderId,
      fileName: 'payroll.xlsx',
      uploadDate: '2026-11-01T09:30:00Z',
      employeesProcessed: 42,
      correctionsMade: 3,
      correctedFileUrl: 'https://files.example.com/payroll-corrected.xlsx',
      status: 'completed',
    };
    const res = await request(app).post(AUDIT_RESULTS_PATH).set('Authorization', `Bearer ${AUDIT_TOKEN}`).send(submission);
    expect(res.status).toBe(202);
    expect((await settled(h, 'audit-results', res.body.jobId as string)).state).toBe('completed');

    const records = (await h.sim.control.records(DS.audit)).filter((r) => r.fields['Audit ID'] === 'e2e-audit-1');
    expect(records).toHaveLength(1);
    expect(records[0]!.fields).toMatchObject({ Order: [orderId], 'Employees Processed': 42, 'Processing Status': 'Completed' });
    expect(await syncRow(h, DS.audit, 'e2e-audit-1', 'app_to_aitable')).toMatchObject({
      syncStatus: 'success',
      entityId: records[0]!.recordId,
    });
  });
});
