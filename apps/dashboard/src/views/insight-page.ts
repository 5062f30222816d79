import { INSIGHT_RANGES, type InsightRangeName } from '@bridge/ops';
import { escapeHtml } from './html';

interface ChartSpec {
  id: string;
  title: string;
  about: string;
  kind: 'bar' | 'line';
  /** Trusted markup (no user data) placed under the heading. */
  toggle?: string;
}

/**
 * What the page asks for on every load and refresh (the bench's viewers do the same): one answer with every
 * chart's, `{ range, since, until, charts: { <api>: <what /api/insight/<api> answers> } }` for each api of
 * INSIGHT_PAGE_APIS. One request instead of a dozen per viewer: forty viewers are 40 requests on the event
 * loop, not 480. The per-chart APIs stay for the JSON links and for scripts.
 */
export const INSIGHT_PAGE_ANSWER = 'api/insight/page';

/** What each time-series chart means, shown under its title; the README says the same. */
const CHARTS: ChartSpec[] = [
  { id: 'deliveries', title: 'Webhook deliveries', kind: 'bar', about: 'Per interval: accepted, duplicate, rejected by reason.' },
  {
    id: 'webhook-success',
    title: 'Webhook success rate',
    kind: 'line',
    about: 'Share of deliveries answered 2xx (line, percent), with the deliveries it is made of (bars).',
  },
  {
    id: 'portal-success',
    title: 'Portal creation success rate',
    kind: 'line',
    about:
      'Per lead, not per attempt: each lead counts once, in the interval its job first ended (portal synced or failed for good), ' +
      'and as a success if it has a portal now, also when a retry or replay made it. Bars: the leads behind the rate.',
  },
  {
    id: 'latency',
    title: 'Sync latency',
    kind: 'line',
    about:
      'From webhook received to sync success, p50 and p95 per entity (within ~19%), and the successes they are taken over. ' +
      'Jobs an operator replayed or fixed wait for a person, so they are left out unless the box says otherwise.',
    toggle: '<label class="toggle"><input type="checkbox" id="latency-manual"> include manual replays and fixes</label>',
  },
  { id: 'completed', title: 'Jobs completed per queue', kind: 'bar', about: 'Jobs that ended successfully per interval.' },
  {
    id: 'upstream',
    title: 'MissionX and AITable errors',
    kind: 'line',
    about:
      'Attempts that failed on MissionX or AITable, and MissionX errors as a share of lead and order attempts. ' +
      'AITable 429s: answers the client waited out and retried (they delay a call without ending an attempt).',
  },
  {
    id: 'aitable-answers',
    title: 'AITable error answers by code',
    kind: 'bar',
    about:
      "AITable's own code of every answer that was not a success (most come as HTTP 200 with success:false), " +
      '429s the client retried by itself included.',
  },
  {
    id: 'reconcile-missing',
    title: 'Records reconcile found missing',
    kind: 'bar',
    about:
      'Records a scheduled reconcile run found modified that neither a webhook nor a sync had brought: lost webhooks ' +
      '(or ones later than the run). A steady count means the automations are not calling us: runbook §4.1 and ' +
      '§4.5 "Reconciliation: events AITable never delivered" (docs/runbook.md).',
  },
  { id: 'errors', title: 'Failed attempts by error code', kind: 'bar', about: 'Failed job attempts per interval (retried or final).' },
  {
    id: 'conflicts',
    title: 'Sync conflicts',
    kind: 'bar',
    about:
      'Fields the bridge owns found holding a value it did not write, or changed on both sides, per interval by field and outcome ' +
      '(restored, adopted, held, resolved by an operator), counted when detected under the outcome they have now. The conflicts page lists them.',
  },
];

const canvas = (id: string, kind: string, api: string) =>
  `<div class="canvas-box"><canvas id="chart-${escapeHtml(id)}" data-chart="${escapeHtml(id)}" data-kind="${escapeHtml(kind)}"` +
  ` data-api="${escapeHtml(api)}"></canvas></div>`;

const heading = (title: string, about: string, api: string) =>
  `<h2>${escapeHtml(title)}</h2><p class="muted">${escapeHtml(about)} <a href="${escapeHtml(api)}">JSON</a></p>`;

const tableShell = (id: string, headers: string[], api = '') =>
  `<table id="${escapeHtml(id)}"${api ? ` data-api="${escapeHtml(api)}"` : ''}><thead><tr>` +
  `${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody></tbody></table>`;

/**
 * The insight page: a shell without inline script or style (the CSP stays strict). The body names the
 * page's one answer (`data-page-api`), each canvas its chart's key in it (`data-chart`) and its own JSON
 * API (`data-api`, linked beside it); public/insight.js fetches the one and draws them all.
 */
export function renderInsightPage(range: InsightRangeName, user: { name: string; role: string }): string {
  const q = `range=${encodeURIComponent(range)}`;
  const ranges = Object.keys(INSIGHT_RANGES)
    .map((r) => (r === range ? `<strong>${escapeHtml(r)}</strong>` : `<a href="insight?range=${escapeHtml(r)}">${escapeHtml(r)}</a>`))
    .join(' · ');
  const charts = CHARTS.map((c) => {
    const api = `api/insight/${c.id}?${q}`;
    return `<section class="chart">${heading(c.title, c.about, api)}${c.toggle ?? ''}\n${canvas(c.id, c.kind, api)}</section>`;
  }).join('\n');
  const funnelApi = `api/insight/funnel?${q}`;
  const codesApi = `api/insight/error-codes?${q}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="favicon.svg" type="image/svg+xml"><title>aitable-bridge · insight</title><link rel="stylesheet" href="insight-assets/insight.css"></head>
<body data-range="${escapeHtml(range)}" data-page-api="${escapeHtml(`${INSIGHT_PAGE_ANSWER}?${q}`)}">
<h1>aitable-bridge · insight</h1>
<p class="muted">signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role)}) · period: ${ranges} ·
<a href="status">status</a> · <a href="conflicts">conflicts</a> · <a href="admin/queues">queues (Bull Board)</a></p>
<p class="muted">Times in UTC · <time id="as-of">loading…</time> · refreshes every 30 s</p>
<p id="insight-error" class="bad" hidden></p>
<div class="grid">
<section class="chart">${heading(
    'Funnel: lead → portal → order won/active → audit delivered',
    'Leads first received in the period and how far each got; conversion is the share of the stage before. ' +
      'Each stage links to the leads that reached the stage before and not this one. ' +
      'Median times are read from log-scale buckets, so within about 19% of the exact median.',
    funnelApi,
  )}
${canvas('funnel', 'funnel', funnelApi)}
${tableShell('funnel-table', ['stage', 'count', 'conversion', 'median time from previous', 'drop-off'])}
</section>
${charts}
<section class="chart">${heading('Top error codes', "Failed attempts by code and queue; the links list that code's failed jobs, and the queue in Bull Board.", codesApi)}
${tableShell('error-codes', ['code', 'queue', 'attempts', 'failed for good', 'failed jobs'], codesApi)}</section>
<section class="chart">${heading(
    'Queues now',
    'Jobs waiting, active, delayed and failed per queue, read from Redis now, and the age of the oldest waiting job.',
    'api/insight/queues',
  )}
${canvas('queues', 'queues', 'api/insight/queues')}
${tableShell('queue-table', ['queue', 'waiting', 'active', 'delayed', 'failed', 'oldest waiting'])}
</section>
</div>
<script src="insight-assets/chart.umd.min.js"></script>
<script src="insight-assets/insight.js"></script>
</body></html>`;
}
