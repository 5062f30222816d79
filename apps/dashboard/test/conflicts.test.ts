import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { createMaskPolicy } from '@bridge/privacy';
import { runScript, TEST_REDIS_URL, waitFor } from '@bridge/testkit';
import type { Express } from 'express';
import request from 'supertest';
// The worker's own test harness: the real worker runtime against the simulators.
import { add, addLead, createHarness, DS, leadEvent, recordOf, settled, syncRow, type Harness } from '@bridge/worker/testing';
import { createApp } from '../src/app';
import { OPERATOR, PERSONAL_FIELDS, VIEWER } from './build-app';

jest.setTimeout(90_000);
let h: Harness;
let app: Express;
let metricsPort: number;

beforeAll(async () => {
  h = await createHarness();
  metricsPort = (await h.start()).metricsPort;
  app = createApp({
    queues: h.queues,
    db: h.prisma,
    redis: h.redis,
    datasheets: { leads: DS.leads, orders: DS.orders, auditResults: DS.audit },
    users: [
      { ...OPERATOR, role: 'operator' },
      { name: VIEWER.name, password: 'sha256:952d55fa328ff96568fe99c2dc926db490f9bb41dbe780018584510ff4f4c572', role: 'viewer' },
    ],
    allowNoAuth: false,
    logger: createLogger({ service: 'dashboard-test', level: 'silent' }),
    metrics: createMetrics('dashboard'),
    mask: createMaskPolicy({ personalFields: PERSONAL_FIELDS }),
  });
});
afterAll(() => h.close());

const cli = (args: string[]) =>
  runScript('apps/dashboard/src/replay-cli.ts', args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: h.tdb.url,
      QUEUE_PREFIX: h.prefix,
      AITABLE_LEADS_DATASHEET_ID: DS.leads,
      AITABLE_ORDERS_DATASHEET_ID: DS.orders,
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: DS.audit,
    },
  });

async function syncedLead(): Promise<string> {
  const recordId = await addLead(h);
  expect((await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)))).state).toBe('completed');
  return recordId;
}

/** A person edits the lead in AITable; its automation sends the record. */
async function editByHand(recordId: string, fields: Record<string, unknown>) {
  await h.sim.control.updateRecordAsUser(DS.leads, recordId, fields);
  const current = (await recordOf(h, DS.leads, recordId))!.fields;
  return settled(h, 'leads', await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated', fields: current })));
}

const missionxWrites = async (since: number) =>
  (await h.sim.control.requests({ service: 'missionx' })).filter((r) => r.at >= since && r.method !== 'GET' && !r.path.includes('/auth/'))
    .length;

test('when a person overwrites the Portal URL, then the bridge restores it (bridge-wins) and the conflict shows in the API, the page and the CLI', async () => {
  const recordId = await syncedLead();
  const ours = ((await recordOf(h, DS.leads, recordId))!.fields['Portal URL'] as { text: string }).text;
  const since = Date.now();
  expect((await editByHand(recordId, { 'Portal URL': 'https://example.com/hand-made' })).state).toBe('completed');
  expect((await recordOf(h, DS.leads, recordId))!.fields['Portal URL']).toMatchObject({ text: ours });
  expect(await missionxWrites(since)).toBe(0);

  const api = await request(app).get(`/api/conflicts?recordId=${recordId}`).auth(VIEWER.name, VIEWER.password);
  expect(api.status).toBe(200);
  expect(api.body.conflicts).toEqual([
    expect.objectContaining({
      recordId,
      field: 'Portal URL',
      aitableValue: 'https://example.com/hand-made',
      bridgeValue: ours,
      policy: 'bridge-wins',
      outcome: 'restored',
    }),
  ]);
  expect(api.body.conflicts[0].aitableAt).not.toBeNull();
  const page = await request(app).get('/conflicts').auth(VIEWER.name, VIEWER.password);
  expect(page.status).toBe(200);
  expect(page.text).toContain(recordId);
  expect(page.text).toContain('restored');
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toMatch(/bridge_sync_conflicts_total\{field="Portal URL",outcome="restored",service="worker"\} 1\b/);
  const listed = await cli(['conflicts', 'list', '--record', recordId, '--json']);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout).conflicts).toEqual([expect.objectContaining({ recordId, field: 'Portal URL', outcome: 'restored' })]);
  // Our restore came back as an event: it is an echo, not a second conflict.
  const echo = await settled(
    h,
    'leads',
    await add(h, 'leads', leadEvent(recordId, { eventType: 'record.updated', fields: (await recordOf(h, DS.leads, recordId))!.fields })),
  );
  expect(echo.job.returnvalue).toBe('skipped_own_write_back');
  expect((await request(app).get(`/api/conflicts?recordId=${recordId}`).auth(VIEWER.name, VIEWER.password)).body.conflicts).toHaveLength(1);
});

test('when a person sets Portal Status by hand (manual), then it is held until an operator takes a side, and each side is applied', async () => {
  const held = await syncedLead();
  await editByHand(held, { 'Portal Status': 'Failed' });
  // Held: not written back, however many events come.
  await editByHand(held, { Company: 'Another Name Inc' });
  expect((await recordOf(h, DS.leads, held))!.fields['Portal Status']).toBe('Failed');
  const open = await request(app).get(`/api/conflicts?state=open&recordId=${held}`).auth(OPERATOR.name, OPERATOR.password);
  expect(open.body.conflicts).toEqual([
    expect.objectContaining({ field: 'Portal Status', aitableValue: 'Failed', bridgeValue: 'Active', policy: 'manual', outcome: 'held' }),
  ]);
  const id = open.body.conflicts[0].id as string;

  // A viewer cannot resolve; a bad choice is a 400 naming the field.
  expect(
    (await request(app).post(`/api/conflicts/${id}/resolve`).auth(VIEWER.name, VIEWER.password).send({ take: 'missionx' })).status,
  ).toBe(403);
  const bad = await request(app).post(`/api/conflicts/${id}/resolve`).auth(OPERATOR.name, OPERATOR.password).send({ take: 'both' });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('take');

  const resolved = await request(app)
    .post(`/api/conflicts/${id}/resolve`)
    .auth(OPERATOR.name, OPERATOR.password)
    .send({ take: 'missionx' });
  expect(resolved.status).toBe(200);
  expect(resolved.body).toMatchObject({ outcome: 'resolved_missionx', resolvedBy: OPERATOR.name });
  await waitFor(async () => ((await recordOf(h, DS.leads, held))!.fields['Portal Status'] === 'Active' ? true : undefined), {
    what: "the bridge's Portal Status written back",
  });
  const again = await request(app).post(`/api/conflicts/${id}/resolve`).auth(OPERATOR.name, OPERATOR.password).send({ take: 'aitable' });
  expect(again.status).toBe(409);

  // The other side, through the CLI: AITable's value is adopted and nothing is written.
  const adopted = await syncedLead();
  await editByHand(adopted, { 'Portal Status': 'Inactive' });
  const shown = await cli(['conflicts', 'list', '--open', '--record', adopted, '--json']);
  const [c] = JSON.parse(shown.stdout).conflicts as { id: string }[];
  const cliResolve = await cli(['conflicts', 'resolve', c!.id, '--take', 'aitable']);
  expect(cliResolve.code).toBe(0);
  expect(cliResolve.stdout).toContain('resolved_aitable');
  expect((await syncRow(h, DS.leads, adopted))?.ownedValues).toMatchObject({ 'Portal Status': 'Inactive' });
  const after = await editByHand(adopted, { Company: 'Renamed Again' });
  expect(after.state).toBe('completed');
  expect((await recordOf(h, DS.leads, adopted))!.fields['Portal Status']).toBe('Inactive');
  expect((await request(app).get(`/api/conflicts?recordId=${adopted}`).auth(OPERATOR.name, OPERATOR.password)).body.conflicts).toHaveLength(
    1,
  );
});

test("when both sides changed a fact, then the API, the page and the CLI show MissionX's value and time beside AITable's", async () => {
  const recordId = await syncedLead();
  const missionxAt = new Date('2026-12-01T10:00:00.000Z');
  const c = await h.prisma.syncConflict.create({
    data: {
      datasheetId: DS.leads,
      recordId,
      field: 'Portal Status',
      aitableValue: 'Lost',
      aitableAt: new Date('2026-12-01T09:00:00.000Z'),
      bridgeValue: 'Inactive',
      bridgeAt: new Date('2026-11-30T09:00:00.000Z'),
      missionxValue: 'Active',
      missionxAt,
      policy: 'manual',
      outcome: 'held',
    },
  });
  const api = await request(app).get(`/api/conflicts/${c.id}`).auth(OPERATOR.name, OPERATOR.password);
  expect(api.body).toMatchObject({
    aitableValue: 'Lost',
    bridgeValue: 'Inactive',
    missionxValue: 'Active',
    missionxAt: missionxAt.toISOString(),
  });
  const page = await request(app).get('/conflicts').auth(VIEWER.name, VIEWER.password);
  expect(page.text).toContain('<th>MissionX value</th>');
  expect(page.text).toContain(missionxAt.toISOString());
  const listed = await cli(['conflicts', 'list', '--record', recordId]);
  expect(listed.stdout).toMatch(/MissionX value/);
  expect(listed.stdout).toMatch(/Lost\s+Inactive\s+Active\s+manual\s+held/);
});
