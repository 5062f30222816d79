import { loadConfig, personalFieldNames } from '@bridge/config';
import { createDb, type PrismaClient } from '@bridge/db';
import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { createMaskPolicy } from '@bridge/privacy';
import { createTestDatabase, type QueueHarness, startQueueHarness, type TestDatabase } from '@bridge/testkit';
import type { Express } from 'express';
import type request from 'supertest';
import { PassThrough } from 'node:stream';
import { createApp, type DashboardDeps } from '../src/app';

export const OPERATOR = { name: 'olga', password: 'operator-pass-1' };
export const VIEWER = { name: 'victor', password: 'viewer-pass-1' };
export const DATASHEETS = { leads: 'dstLeads1', orders: 'dstOrders1', auditResults: 'dstAudit1' };
/** The personal field names of the default configuration, as main.ts builds them. */
export const PERSONAL_FIELDS = personalFieldNames(
  loadConfig(
    {
      DATABASE_URL: 'postgres://unused',
      AITABLE_LEADS_DATASHEET_ID: 'dstL',
      AITABLE_ORDERS_DATASHEET_ID: 'dstO',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstA',
    },
    ['datasheets'],
  ),
);

export interface TestDashboard {
  app: Express;
  h: QueueHarness;
  db: PrismaClient;
  /** The test database's URL, for a CLI run against the same data. */
  databaseUrl: string;
  logLines: string[];
  close(): Promise<void>;
}

/** The real dashboard over real Redis queues (with failing stand-in workers) and a fresh database. */
export async function startTestDashboard(over: Partial<DashboardDeps> = {}): Promise<TestDashboard> {
  const tdb: TestDatabase = await createTestDatabase();
  const db = createDb({ databaseUrl: tdb.url, poolSize: 3 });
  const h = startQueueHarness();
  const logLines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => logLines.push(c.toString()));
  const app = createApp({
    queues: h.queues,
    db,
    redis: h.redis,
    datasheets: DATASHEETS,
    users: [
      { ...OPERATOR, role: 'operator' },
      // Stored as a SHA-256 hash, the other form DASHBOARD_USERS accepts.
      { name: VIEWER.name, password: 'sha256:952d55fa328ff96568fe99c2dc926db490f9bb41dbe780018584510ff4f4c572', role: 'viewer' },
    ],
    allowNoAuth: false,
    logger: createLogger({ service: 'dashboard-test', level: 'warn', format: 'json', stream }),
    metrics: createMetrics('dashboard'),
    mask: createMaskPolicy({ personalFields: PERSONAL_FIELDS }),
    ...over,
  });
  return {
    app,
    h,
    db,
    logLines,
    databaseUrl: tdb.url,
    async close() {
      await h.close();
      await db.$disconnect();
      await tdb.drop();
    },
  };
}

/**
 * A dashboard for one test file: started before its tests, closed after them. The object is
 * filled in by beforeAll, so tests read `t.app`, `t.h`, `t.db` as usual.
 */
export function useTestDashboard(): TestDashboard {
  const t = {} as TestDashboard;
  beforeAll(async () => {
    Object.assign(t, await startTestDashboard());
  });
  afterAll(async () => {
    await t.close();
  });
  return t;
}

export const asOperator = (r: request.Test) => r.auth(OPERATOR.name, OPERATOR.password);
export const asViewer = (r: request.Test) => r.auth(VIEWER.name, VIEWER.password);
