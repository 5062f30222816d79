import { getRecordStory, type RecordStoryDeps, type RecordStoryQuery } from '@bridge/ops';
import type { MaskPolicy } from '@bridge/privacy';
import { Router, type Request } from 'express';
import { principalOf } from '../auth';
import { isMasked } from '../mask-answers';
import { renderRecordPage, type RecordSearch } from '../views/record-page';

const BY = { record: 'recordId', client: 'missionxClientId', delivery: 'deliveryId' } as const;

/** `?by=record|client|delivery&q=…` (by defaults to record); null without a q. */
function searchOf(req: Request): RecordSearch {
  const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
  if (!q) return null;
  const by = typeof req.query.by === 'string' && req.query.by in BY ? (req.query.by as keyof typeof BY) : 'record';
  return { by, id: q };
}

const queryOf = (s: NonNullable<RecordSearch>): RecordStoryQuery => ({ [BY[s.by]]: s.id }) as RecordStoryQuery;

/**
 * One record's whole story (deliveries, jobs, history, sync rows, MissionX client), as a page and
 * as JSON: `/api/records/<recId>`, or `/api/records?client=<id>` / `?delivery=<id>`.
 * The JSON passes the masking middleware; the page masks what it shows itself.
 */
export function recordRoutes(deps: RecordStoryDeps, mask: MaskPolicy): Router {
  const r = Router();
  r.get('/api/records/:recordId', async (req, res) => {
    const story = await getRecordStory(deps, { recordId: req.params.recordId });
    if (!story) res.status(404).json({ error: 'not_found', message: `Nothing known about record ${req.params.recordId}` });
    else res.json(story);
  });
  r.get('/api/records', async (req, res) => {
    const client = typeof req.query.client === 'string' ? req.query.client : undefined;
    const delivery = typeof req.query.delivery === 'string' ? req.query.delivery : undefined;
    if ((client === undefined) === (delivery === undefined)) {
      res.status(400).json({
        error: 'invalid_query',
        message: 'give exactly one of: client (a MissionX client id), delivery (a delivery id)',
        field: 'client',
      });
      return;
    }
    const story = await getRecordStory(deps, client !== undefined ? { missionxClientId: client } : { deliveryId: delivery! });
    if (!story) res.status(404).json({ error: 'not_found', message: `Nothing known under ${client ?? delivery}` });
    else res.json(story);
  });
  r.get('/records', async (req, res) => {
    const search = searchOf(req);
    const story = search ? await getRecordStory(deps, queryOf(search)) : null;
    // HTML does not pass through res.json, so the page masks its data itself.
    const shown = story && isMasked(res) ? mask.value(story) : story;
    res
      .status(search && !story ? 404 : 200)
      .type('html')
      .send(renderRecordPage(search, shown, principalOf(res)));
  });
  return r;
}
