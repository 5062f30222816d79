import type { PrismaClient } from '@bridge/db';
import {
  correctDelivery,
  getDelivery,
  listDeliveries,
  parseDeliveryFilter,
  replayDelivery,
  revalidateDelivery,
  toListItem,
  type DeliveryRules,
} from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import { Router } from 'express';
import { principalOf, requireOperator } from '../auth';
import { isMasked } from '../mask-answers';
import { optionalText } from './params';

export interface DeliveriesDeps {
  db: PrismaClient;
  queues: BridgeQueues;
  /** The rules ingest checks deliveries by; a stored one is re-checked by the same. */
  datasheets: DeliveryRules;
}

/** Rejected webhook deliveries: list, read, re-validate, correct, replay. */
export function deliveriesRoutes({ db, queues, datasheets }: DeliveriesDeps): Router {
  const r = Router();

  // Query: outcome (default rejected), reason, datasheet, since, until, awaitingFix, limit.
  r.get('/api/deliveries', async (req, res) => {
    res.json({ deliveries: await listDeliveries(db, parseDeliveryFilter(req.query)) });
  });

  // The body is masked with the rest of the answer; an operator fixing it asks with ?raw=1.
  r.get('/api/deliveries/:id', async (req, res) => {
    const row = await getDelivery(db, String(req.params.id));
    const rawBodyMasked = isMasked(res) && row.rawBody !== null;
    res.json({ ...toListItem(row), contentType: row.contentType, requestId: row.requestId, rawBody: row.rawBody, rawBodyMasked });
  });

  r.post('/api/deliveries/:id/revalidate', requireOperator, async (req, res) => {
    res.json(await revalidateDelivery(db, String(req.params.id), datasheets));
  });

  // Body: JSON `{rawBody, contentType?}` (JSON only: sameOriginOnly refuses other types).
  r.post('/api/deliveries/:id/correct', requireOperator, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = { rawBody: optionalText(body.rawBody, 'rawBody') ?? '', contentType: optionalText(body.contentType, 'contentType') };
    res.json(await correctDelivery(db, String(req.params.id), { ...input, actor: principalOf(res).name }, datasheets));
  });

  r.post('/api/deliveries/:id/replay', requireOperator, async (req, res) => {
    res.json(await replayDelivery(db, queues, String(req.params.id), datasheets));
  });

  return r;
}
