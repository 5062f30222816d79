import path from 'node:path';
import type { PrismaClient } from '@bridge/db';
import {
  deliveriesChart,
  errorsChart,
  funnel,
  latencyChart,
  parseInsightRange,
  portalSuccessChart,
  queueHealth,
  topErrorCodes,
  webhookSuccessChart,
  type InsightRange,
} from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import { Router, type Request } from 'express';
import { principalOf } from '../auth';
import { renderInsightPage } from '../views/insight-page';

// Served from our own origin (no CDN): the page works offline and the CSP stays `script-src 'self'`.
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
const PUBLIC = path.resolve(__dirname, '../../public');
const ASSETS: Record<string, string> = {
  'chart.umd.min.js': CHART_JS,
  'insight.js': path.join(PUBLIC, 'insight.js'),
  'insight.css': path.join(PUBLIC, 'insight.css'),
};

/** Every chart of the page, by the name of its JSON API under /api/insight. */
export const INSIGHT_CHARTS = {
  deliveries: deliveriesChart,
  'webhook-success': webhookSuccessChart,
  'portal-success': portalSuccessChart,
  latency: latencyChart,
  errors: errorsChart,
} as const;

/** The insight page (charts of the key metrics and the lead-to-audit funnel) and the JSON behind each chart. */
export function insightRoutes(db: PrismaClient, queues: BridgeQueues): Router {
  const r = Router();
  const range = (req: Request): InsightRange => parseInsightRange(req.query.range);

  for (const [name, chart] of Object.entries(INSIGHT_CHARTS)) {
    r.get(`/api/insight/${name}`, async (req, res) => {
      res.json(await chart(db, range(req)));
    });
  }
  r.get('/api/insight/error-codes', async (req, res) => {
    const rg = range(req);
    res.json({ range: rg.name, since: rg.since.toISOString(), until: rg.until.toISOString(), codes: await topErrorCodes(db, rg) });
  });
  r.get('/api/insight/funnel', async (req, res) => {
    res.json(await funnel(db, range(req)));
  });
  r.get('/api/insight/queues', async (_req, res) => {
    res.json({ generatedAt: new Date().toISOString(), queues: await queueHealth(queues) });
  });

  r.get('/insight', (req, res) => {
    res.type('html').send(renderInsightPage(range(req).name, principalOf(res)));
  });
  r.get('/insight-assets/:file', (req, res, next) => {
    // Own keys only: `__proto__` or `toString` must be a 404, not a function handed to sendFile.
    const name = String(req.params.file);
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!file) return next();
    res.sendFile(file, { maxAge: '1h' });
  });
  return r;
}
