import { randomUUID } from 'node:crypto';
import { createDeliveryWriter } from '@bridge/db';
import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { MissionxApiClient } from '@bridge/missionx';
import type { RecordStory } from '@bridge/ops';
import { createMaskPolicy } from '@bridge/privacy';
import { runScript, waitFor } from '@bridge/testkit';
import type { Express } from 'express';
import request from 'supertest';
import { add, addLead, createHarness, DS, leadEvent, settled, type Harness } from '@bridge/worker/testing';
import { createApp } from '../src/app';
import { OPERATOR, PERSONAL_FIELDS, VIEWER } from './build-app';

jest.setTimeout(90_000);
let h: Harness;
let app: Express;

beforeAll(async () => {
  h = await createHarness();
  // The 503s below should spend attempts, not wait as an outage.
  await h.start({ WORKER_OUTAGE_BUDGET_MS: '0' });
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
    missionx: new MissionxApiClient({
      baseUrl: h.sim.missionxBaseUrl,
      authUrl: h.sim.missionxAuthUrl,
      clientId: 'sim-client',
      clientSecret: 'sim-secret',
      orgId: 'sim-org',
      portalUrlTemplate: 'https://app.missionx.ai/portal/{clientId}',
    }),
  });
});
afterAll(() => h.close());

test('when a lead failed every attempt and was replayed, then its page, JSON API and CLI tell the whole story in time order, masked for viewers', async () => {
  await h.sim.control.injectFault({ service: 'aitable', method: 'PATCH', pathIncludes: DS.leads, count: 4, kind: 'status', status: 503 });
  const recordId = await addLead(h);
  const event = leadEvent(recordId);
  // The delivery row ingest writes for the webhook that made the job (the job id is the delivery id).
  const deliveries = createDeliveryWriter(h.prisma);
  deliveries.record({
    id: event.deliveryId,
    receivedAt: new Date(),
    requestId: event.requestId,
    source: 'aitable',
    datasheetId: DS.leads,
    recordId,
    eventType: 'record.created',
    outcome: 'accepted',
    httpStatus: 202,
    queue: 'leads',
    jobId: event.deliveryId,
  });
  await deliveries.close();
  const jobId = await add(h, 'leads', event);
  expect((await settled(h, 'leads', jobId)).state).toBe('failed');
  const replay = await request(app).post('/api/replay').auth(OPERATOR.name, OPERATOR.password).send({ queue: 'leads', record: recordId });
  expect(replay.body).toMatchObject({ replayed: 1 });
  expect((await settled(h, 'leads', jobId, 30_000)).state).toBe('completed');

  // History rows are written in batches: wait for the successful attempt's row.
  const story = await waitFor(
    async () => {
      const res = await request(app).get(`/api/records/${recordId}?raw=1`).auth(OPERATOR.name, OPERATOR.password);
      const s = res.body as RecordStory;
      return s.timeline?.some((e) => e.kind === 'attempt' && e.outcome === 'success') ? s : undefined;
    },
    { timeoutMs: 20_000, what: 'the successful attempt in the history' },
  );
  expect(story).toMatchObject({ recordId, datasheetId: DS.leads, datasheet: 'leads' });
  expect(story.jobs).toEqual([
    expect.objectContaining({ queue: 'leads', jobId, state: 'completed', attemptsMade: expect.any(Number), backfill: false }),
  ]);
  expect(story.jobs[0]!.errors.join('\n')).toMatch(/503/);
  const attempts = story.timeline.filter((e) => e.kind === 'attempt');
  expect(attempts.map((e) => e.kind === 'attempt' && e.outcome)).toEqual(['retry', 'retry', 'retry', 'failed', 'success']);
  expect(story.timeline[0]).toMatchObject({ kind: 'delivery', deliveryId: event.deliveryId, outcome: 'accepted' });
  const times = story.timeline.map((e) => e.at);
  expect(times).toEqual([...times].sort());
  const [row] = story.syncRows;
  expect(row).toMatchObject({
    syncStatus: 'success',
    lastValuesWritten: expect.objectContaining({ portalUrl: expect.stringContaining(row!.entityId!) }),
  });
  expect(story.missionxClient).toMatchObject({
    clientId: row!.entityId,
    client: expect.objectContaining({ _id: row!.entityId, customId: recordId }),
  });
  expect(JSON.stringify(story.missionxClient)).toContain('analytical.example');
  // The client's name is the lead's company: personal data, masked for viewers like the Company field.
  const title = (story.missionxClient!.client as { title: string }).title;
  expect(title.length).toBeGreaterThan(3);

  // Found the same way by its MissionX client and by its delivery.
  for (const q of [`client=${row!.entityId}`, `delivery=${event.deliveryId}`]) {
    const res = await request(app).get(`/api/records?${q}`).auth(VIEWER.name, VIEWER.password);
    expect(res.status).toBe(200);
    expect(res.body.recordId).toBe(recordId);
    expect(JSON.stringify(res.body)).not.toContain('analytical.example');
    expect(JSON.stringify(res.body)).not.toContain(title);
  }
  const page = await request(app).get(`/records?by=record&q=${recordId}`).auth(VIEWER.name, VIEWER.password);
  expect(page.status).toBe(200);
  expect(page.text).toContain(jobId);
  expect(page.text).toMatch(/attempt.*failed/s);
  expect(page.text).not.toContain('analytical.example');
  expect(page.text).not.toContain(title);

  const cli = await runScript('apps/dashboard/src/replay-cli.ts', ['record', recordId], { env: h.env({ LOG_LEVEL: 'silent' }) });
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain(jobId);
  // A replay starts the attempts over: the fifth attempt is #1 of the replayed job.
  expect(cli.stdout).toMatch(/attempt\s+leads\/\S+ #4 failed.*attempt\s+leads\/\S+ #1 success/s);
  expect(cli.stdout).not.toContain('analytical.example');
  expect(cli.stdout).not.toContain(title);
});

test('when nothing is known under an id, then the API answers 404, the page says so and the CLI exits 1; a malformed record id is a 400 naming the field', async () => {
  const unknown = `rec${randomUUID().replace(/-/g, '').slice(0, 14)}`;
  expect((await request(app).get(`/api/records/${unknown}`).auth(VIEWER.name, VIEWER.password)).status).toBe(404);
  expect((await request(app).get(`/api/records?delivery=${randomUUID()}`).auth(VIEWER.name, VIEWER.password)).status).toBe(404);
  const bad = await request(app).get('/api/records/not-a-record').auth(VIEWER.name, VIEWER.password);
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/record/);
  expect((await request(app).get('/api/records').auth(VIEWER.name, VIEWER.password)).status).toBe(400);
  const cli = await runScript('apps/dashboard/src/replay-cli.ts', ['record', unknown], { env: h.env({ LOG_LEVEL: 'silent' }) });
  expect(cli.code).toBe(1);
});
