import { loadConfig } from '@bridge/config';
import { createDb, type PrismaClient } from '@bridge/db';
import { buildDeps, closeDeps, createApp, INGEST_SECTIONS, startIngest, warmUp } from '@bridge/ingest';
import type { IngestConfig, IngestDeps, RunningIngest } from '@bridge/ingest';
import {
  captureLogs,
  createTestDatabase,
  obliterateQueues,
  TEST_REDIS_URL,
  uniquePrefix,
  waitFor,
  type LogLine,
  type TestDatabase,
} from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import type { Express } from 'express';
import request from 'supertest';

export const SECRET = 'webhook-secret-0123456789';
export const NEW_SECRET = 'webhook-secret-rotated-987';
export const AUDIT_TOKEN = 'audit-token-abcdefghijklmnop';
export const SHEETS = { leads: 'dstLeadsT', orders: 'dstOrdersT', auditResults: 'dstAuditT' };

/** One ingest app over a fresh database and its own queue prefix, logs captured as JSON lines. */
export interface Harness {
  app: Express;
  deps: IngestDeps;
  config: IngestConfig;
  /** A separate client for assertions, still open after the app's deps are closed. */
  db: PrismaClient;
  logs: LogLine[];
  close(): Promise<void>;
}

export function ingestEnv(dbUrl: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    DATABASE_URL: dbUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniquePrefix('ingest'),
    AITABLE_WEBHOOK_SECRET: SECRET,
    AUDIT_API_TOKEN: AUDIT_TOKEN,
    AITABLE_LEADS_DATASHEET_ID: SHEETS.leads,
    AITABLE_ORDERS_DATASHEET_ID: SHEETS.orders,
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: SHEETS.auditResults,
    DELIVERY_FLUSH_MS: '20',
    ...over,
  };
}

/**
 * Pass `database` to share one test database between several harnesses of a file (for
 * example one per auth mode); only the harness that created it drops it.
 */
export async function startHarness(over: Record<string, string> = {}, database?: TestDatabase): Promise<Harness> {
  const own = database ? undefined : await createTestDatabase();
  const testDb = (database ?? own)!;
  const config = loadConfig(ingestEnv(testDb.url, over), INGEST_SECTIONS);
  const { lines, stream } = captureLogs();
  const deps = buildDeps(config, { logStream: stream });
  await warmUp(deps, 2000);
  const db = createDb({ databaseUrl: testDb.url, poolSize: 2 });
  return {
    app: createApp(deps),
    deps,
    config,
    db,
    logs: lines,
    async close() {
      await closeDeps(deps);
      await obliterateQueues(config.QUEUE_PREFIX);
      await db.$disconnect();
      if (own) await own.drop();
    },
  };
}

export const leadBody = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventType: 'record.created',
    datasheetId: SHEETS.leads,
    recordId: 'recLead1',
    record: { fields: { Email: 'a@example.com' } },
    ...over,
  });

/** POSTs a webhook; with no auth header given, signs it with the hex HMAC of SECRET. */
export function postWebhook(app: Express, body: string, headers: Record<string, string> = {}) {
  const req = request(app).post('/api/aitable/webhook').set('Content-Type', 'application/json');
  const hasAuth = Object.keys(headers).some((h) => ['x-aitable-signature', 'webhook-signature'].includes(h.toLowerCase()));
  if (!hasAuth) req.set('X-AITable-Signature', signHmac(SECRET, body));
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.send(body);
}

/** Waits for the batched writer to store the delivery row with this id. */
export function deliveryRow(h: Harness, where: { id?: string; requestId?: string }) {
  return waitFor(() => h.db.webhookDelivery.findFirst({ where }), { what: `delivery row ${JSON.stringify(where)}` });
}

/** Ingest listening on a free port, as `npm run start:ingest` runs it; `prefix` is its queue prefix, to obliterate after. */
export async function startServer(dbUrl: string, over: Record<string, string> = {}): Promise<{ running: RunningIngest; prefix: string }> {
  const config = loadConfig(ingestEnv(dbUrl, over), INGEST_SECTIONS);
  const running = await startIngest(buildDeps(config, { logStream: captureLogs().stream }), { port: 0, host: '127.0.0.1' });
  return { running, prefix: config.QUEUE_PREFIX };
}
