import type { PrismaClient } from '@bridge/db';
import { syncStatus } from '@bridge/ops';
import type { MaskPolicy } from '@bridge/privacy';
import type { BridgeQueues } from '@bridge/queues';
import { Router } from 'express';
import { principalOf } from '../auth';
import { isMasked } from '../mask-answers';
import { renderStatusPage } from '../views/status-page';

/** The sync status, as a page for people and as JSON for scripts. */
export function statusRoutes(db: PrismaClient, queues: BridgeQueues, mask: MaskPolicy, redisMode?: string): Router {
  const r = Router();
  r.get('/api/status', async (_req, res) => {
    res.json({ ...(await syncStatus(db, queues)), ...(redisMode ? { redis: redisMode } : {}) });
  });
  r.get(['/', '/status'], async (_req, res) => {
    const status = await syncStatus(db, queues);
    // HTML does not pass through res.json, so the page masks its data itself.
    const html = renderStatusPage(isMasked(res) ? mask.value(status) : status, principalOf(res), redisMode);
    res.type('html').send(html);
  });
  return r;
}
