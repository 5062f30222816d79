import path from 'node:path';
import type { PrismaClient } from '@bridge/db';
import {
  aitableAnswersChart,
  completedChart,
  conflictsChart,
  deliveriesChart,
  FUNNEL_STAGES,
  errorsChart,
  funnel,
  latencyChart,
  parseInsightRange,
  portalSuccessChart,
  queueHealth,
  reconcileMissingChart,
  singleFlight,
  stuckLeads,
  topErrorCodes,
  upstreamChart,
  webhookSuccessChart,
  type InsightRange,
} from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import { permanent } from '@bridge/errors';
import { Router, type Request } from 'express';
import { principalOf } from '../auth';
import { INSIGHT_PAGE_ANSWER, renderInsightPage } from '../views/insight-page';

// Served from our own origin (no CDN): the page works offline and the CSP stays `script-src 'self'`.
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
const PUBLIC = path.resolve(__dirname, '../../public');
const ASSETS: Record<string, string> = {
  'chart.umd.min.js': CHART_JS,
  'insight.js': path.join(PUBLIC, 'insight.js'),
  'insight.css': path.join(PUBLIC, 'insight.css'),
};

/** Every chart of the page but latency (which takes `manual`), by the name of its JSON API under /api/insight. */
export const INSIGHT_CHARTS = {
  deliveries: deliveriesChart,
  'webhook-success': webhookSuccessChart,
  'portal-success': portalSuccessChart,
  errors: errorsChart,
  completed: completedChart,
  upstream: upstreamChart,
  'aitable-answers': aitableAnswersChart,
  'reconcile-missing': reconcileMissingChart,
  conflicts: conflictsChart,
} as const;

/** Every time-series chart of the page by the name of its JSON API, which is also its canvas's `chart-<name>`. */
export const INSIGHT_SERIES_CHARTS = [...(Object.keys(INSIGHT_CHARTS) as (keyof typeof INSIGHT_CHARTS)[]), 'latency'] as const;

/** Every JSON API under /api/insight whose answer the page draws: the keys of `charts` in the page's one answer. */
export const INSIGHT_PAGE_APIS = [...INSIGHT_SERIES_CHARTS, 'funnel', 'error-codes', 'queues'] as const;
export type InsightPageApi = (typeof INSIGHT_PAGE_APIS)[number];

/** Every stage but the first, which nothing drops off before. */
type DropOffStage = Exclude<(typeof FUNNEL_STAGES)[number], (typeof FUNNEL_STAGES)[0]>;
/** `manual=include` adds the attempts of replayed jobs to the latency chart; `exclude` (the default) leaves them out. */
function includeManual(value: unknown): boolean {
  if (value === undefined || value === '' || value === 'exclude') return false;
  if (value === 'include') return true;
  throw permanent('invalid_argument', 'manual must be include or exclude', { httpStatus: 400, details: { field: 'manual' } });
}

function stageOf(value: unknown): DropOffStage {
  const stages = FUNNEL_STAGES.slice(1);
  if (typeof value === 'string' && (stages as readonly string[]).includes(value)) return value as DropOffStage;
  throw permanent('invalid_argument', `stage must be one of ${stages.join(', ')}`, { httpStatus: 400, details: { field: 'stage' } });
}

/**
 * How long one answer serves every viewer of the same chart and range. The page refreshes every
 * 30 s, so its numbers lag by at most this; without it each round of viewers reruns every chart's
 * query, and forty viewers cost forty times one.
 */
export const INSIGHT_ANSWER_REUSE_MS = 5000;

/** What one answer depends on: the period, and whether the latency chart counts replayed jobs. */
interface PageQuery {
  range: InsightRange;
  manual: boolean;
}

/** The insight page (charts of the key metrics and the lead-to-audit funnel) and the JSON behind each chart. */
export function insightRoutes(db: PrismaClient, queues: BridgeQueues): Router {
  const r = Router();
  const range = (req: Request): InsightRange => parseInsightRange(req.query.range);
  const once = singleFlight({ reuseMs: INSIGHT_ANSWER_REUSE_MS });
  const shared = <T>(name: string, rg: InsightRange, work: () => Promise<T>) => once(`${name}|${rg.name}|${rg.since.getTime()}`, work);
  const fromChart = (name: string, chart: (db: PrismaClient, rg: InsightRange) => Promise<unknown>) => (q: PageQuery) =>
    shared(name, q.range, () => chart(db, q.range));
  // Read from Redis now, whatever the range.
  const queuesNow = () => once('queues', async () => ({ generatedAt: new Date().toISOString(), queues: await queueHealth(queues) }));
  // Each answer once, shared for a while by the chart's own API and the page's answer alike.
  const answers: Record<InsightPageApi, (q: PageQuery) => Promise<unknown>> = {
    ...(Object.fromEntries(Object.entries(INSIGHT_CHARTS).map(([name, chart]) => [name, fromChart(name, chart)])) as Record<
      keyof typeof INSIGHT_CHARTS,
      (q: PageQuery) => Promise<unknown>
    >),
    latency: (q) => shared(`latency|${q.manual}`, q.range, () => latencyChart(db, q.range, { includeManual: q.manual })),
    'error-codes': (q) =>
      shared('error-codes', q.range, async () => ({
        range: q.range.name,
        since: q.range.since.toISOString(),
        until: q.range.until.toISOString(),
        codes: await topErrorCodes(db, q.range),
      })),
    funnel: fromChart('funnel', funnel),
    queues: queuesNow,
  };

  for (const name of INSIGHT_PAGE_APIS.filter((n) => n !== 'queues')) {
    r.get(`/api/insight/${name}`, async (req, res) => {
      // Only latency takes `manual`.
      res.json(await answers[name]({ range: range(req), manual: name === 'latency' && includeManual(req.query.manual) }));
    });
  }
  r.get('/api/insight/queues', async (_req, res) => {
    res.json(await queuesNow());
  });
  r.get(`/${INSIGHT_PAGE_ANSWER}`, async (req, res) => {
    const q: PageQuery = { range: range(req), manual: includeManual(req.query.manual) };
    const bodies = await Promise.all(INSIGHT_PAGE_APIS.map((name) => answers[name](q)));
    res.json({
      range: q.range.name,
      since: q.range.since.toISOString(),
      until: q.range.until.toISOString(),
      charts: Object.fromEntries(INSIGHT_PAGE_APIS.map((name, i) => [name, bodies[i]])),
    });
  });
  r.get('/api/insight/funnel/stuck', async (req, res) => {
    const rg = range(req);
    const stage = stageOf(req.query.stage);
    res.json({ range: rg.name, since: rg.since.toISOString(), until: rg.until.toISOString(), ...(await stuckLeads(db, rg, stage)) });
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
