import type { PrismaClient } from '@bridge/db';
import { syncStatus } from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import { Router } from 'express';
import { principalOf } from '../auth';
import { renderStatusPage } from '../views/status-page';

/** The sync status, as a page for people and as JSON for scripts. */
export function statusRoutes(db: PrismaClient, queues: BridgeQueues): Router {
  const r = Router();
  r.get('/api/status', async (_req, res) => {
    res.json(await syncStatus(db, queues));
  });
  r.get(['/', '/status'], async (_req, res) => {
    const html = renderStatusPage(await syncStatus(db, queues), principalOf(res));
    res.type('html').send(html);
  });
  return r;
}
