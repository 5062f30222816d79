import type { PrismaClient } from '@bridge/db';
import { conflict, conflicts, parseConflictFilter, resolveConflict } from '@bridge/ops';
import type { MaskPolicy } from '@bridge/privacy';
import type { BridgeQueues } from '@bridge/queues';
import { Router } from 'express';
import { principalOf, requireOperator } from '../auth';
import { isMasked } from '../mask-answers';
import { renderConflictsPage } from '../views/conflicts-page';

/** Conflicts on fields the bridge owns (issue 16): list, read, and an operator's resolution of a held one. */
export function conflictsRoutes(db: PrismaClient, queues: BridgeQueues, mask: MaskPolicy): Router {
  const r = Router();
  r.get('/api/conflicts', async (req, res) => {
    res.json({ conflicts: await conflicts(db, parseConflictFilter(req.query)) });
  });
  r.get('/api/conflicts/:id', async (req, res) => {
    res.json(await conflict(db, String(req.params.id)));
  });
  // Body: JSON `{take: "aitable" | "missionx"}` (JSON only: sameOriginOnly refuses other types).
  r.post('/api/conflicts/:id/resolve', requireOperator, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.json(await resolveConflict(db, queues, String(req.params.id), body.take, principalOf(res).name));
  });
  r.get('/conflicts', async (req, res) => {
    const list = await conflicts(db, parseConflictFilter(req.query));
    // HTML does not pass through res.json, so the page masks its data itself.
    res.type('html').send(renderConflictsPage(isMasked(res) ? mask.value(list) : list, principalOf(res)));
  });
  return r;
}
