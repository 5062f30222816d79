import { loadConfig } from '@bridge/config';
import { buildDeps, closeDeps, createApp, INGEST_SECTIONS, warmUp, type IngestDeps } from '@bridge/ingest';
import { waitFor } from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import type { Express } from 'express';
import request from 'supertest';
import { addLead, createHarness, DS, settled, syncRow, type Harness } from './harness';

const SECRET = 'failover-webhook-secret-0123456789';

export interface Sent {
  recordId: string;
  status: number;
  jobId?: string;
  requestId: string;
  retryAfter?: string;
}

/** The real worker and the real ingest app on a Redis topology of the test's own, with the simulators. */
export interface FailoverWorld {
  h: Harness;
  ingest: IngestDeps;
  app: Express;
  /** Posts one signed lead webhook for a new lead; answers what ingest said. */
  sendLead(tag: string): Promise<Sent>;
  close(): Promise<void>;
}

export async function startFailoverWorld(redisEnv: Record<string, string>, ingestEnv: Record<string, string> = {}): Promise<FailoverWorld> {
  const h = await createHarness({ redisEnv });
  try {
    // Reconcile and retention on: their schedulers, cursor and runs use the topology too.
    await h.start({ WORKER_QUEUES: 'leads,orders,audit-results', RECONCILE_INTERVAL_MS: '3600000', RETENTION_INTERVAL_MS: '3600000' });
    const env = {
      ...h.env(),
      AITABLE_WEBHOOK_SECRET: SECRET,
      AUDIT_API_TOKEN: 'failover-audit-token-0123',
      DELIVERY_FLUSH_MS: '20',
      LOG_LEVEL: 'silent',
    };
    const ingest = buildDeps(loadConfig({ ...env, ...ingestEnv }, INGEST_SECTIONS));
    await warmUp(ingest, 10_000);
    const app = createApp(ingest);
    let n = 0;
    return {
      h,
      ingest,
      app,
      async sendLead(tag) {
        const recordId = await addLead(h, { Company: `Failover ${tag}` });
        const requestId = `failover-${tag}-${++n}`;
        const raw = JSON.stringify({
          eventType: 'record.created',
          datasheetId: DS.leads,
          recordId,
          record: { fields: { Company: `Failover ${tag}` } },
        });
        const res = await request(app)
          .post('/api/aitable/webhook')
          .set('Content-Type', 'application/json')
          .set('X-AITable-Signature', signHmac(SECRET, raw))
          .set('X-Request-Id', requestId)
          .send(raw);
        return {
          recordId,
          status: res.status,
          jobId: res.body?.jobId as string | undefined,
          requestId,
          retryAfter: res.get('Retry-After'),
        };
      },
      async close() {
        await closeDeps(ingest);
        await h.close();
      },
    };
  } catch (err) {
    await h.close();
    throw err;
  }
}

/**
 * Every 202 became exactly one portal and a successful sync row (none lost, none doubled), and no
 * lead answered 503 got more than one: a job stored before its WAIT failed may still run, once.
 */
export async function expectKeptPromises(w: FailoverWorld, sent: Sent[]): Promise<void> {
  const accepted = sent.filter((s) => s.status === 202);
  for (const s of accepted) expect((await settled(w.h, 'leads', s.jobId!, 60_000)).state).toBe('completed');
  const clients = await w.h.sim.control.missionxClients();
  const portals = (recordId: string) => clients.filter((c) => c.customId === recordId).length;
  expect(accepted.map((s) => [s.recordId, portals(s.recordId)])).toEqual(accepted.map((s) => [s.recordId, 1]));
  for (const s of accepted) expect(await syncRow(w.h, DS.leads, s.recordId)).toMatchObject({ syncStatus: 'success' });
  expect(sent.filter((s) => s.status !== 202 && portals(s.recordId) > 1)).toEqual([]);
}

/** The delivery row ingest wrote for a request (rows are written in batches, off the request path). */
export function deliveryRow(w: FailoverWorld, requestId: string) {
  return waitFor(() => w.h.prisma.webhookDelivery.findFirst({ where: { requestId } }), { what: `the delivery row of ${requestId}` });
}

/** Sends `n` leads one after another and answers what ingest said to each. */
export async function sendLeads(w: FailoverWorld, tag: string, n: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let i = 0; i < n; i++) sent.push(await w.sendLead(`${tag}-${i}`));
  return sent;
}

/** Sends one lead every `everyMs` while `during` runs, and answers every request's outcome. */
export async function burstDuring(w: FailoverWorld, tag: string, everyMs: number, during: () => Promise<unknown>): Promise<Sent[]> {
  const inFlight: Promise<Sent>[] = [];
  let done = false;
  const pacer = (async () => {
    for (let i = 0; !done; i++) {
      inFlight.push(w.sendLead(`${tag}-${i}`));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await pacer;
  }
  return Promise.all(inFlight);
}
