import { INSIGHT_RANGES, type InsightRangeName } from '@bridge/ops';
import { escapeHtml } from './html';

/** What each chart means, shown under its title; the README says the same. */
const CHARTS: { id: string; title: string; about: string; kind: 'bar' | 'line'; unit?: string }[] = [
  { id: 'deliveries', title: 'Webhook deliveries', kind: 'bar', about: 'Deliveries per interval: accepted, duplicate, and rejected by reason.' },
  { id: 'webhook-success', title: 'Webhook success rate', kind: 'line', unit: 'ratio', about: 'Share of deliveries answered 2xx (accepted or duplicate).' },
  { id: 'portal-success', title: 'Portal creation success rate', kind: 'line', unit: 'ratio', about: 'Lead jobs that synced the portal, of those that ended (synced or failed for good).' },
  { id: 'latency', title: 'Sync latency (seconds)', kind: 'line', about: 'From webhook received to sync success, p50 and p95 per entity.' },
  { id: 'errors', title: 'Failed attempts by error code', kind: 'bar', about: 'Failed job attempts per interval (retried or final), by error code.' },
];

/**
 * The insight page: a shell without inline script or style (the CSP stays strict). Each chart's
 * canvas names the JSON API it draws (`data-api`); public/insight.js fetches and draws them.
 */
export function renderInsightPage(range: InsightRangeName, user: { name: string; role: string }): string {
  const q = `range=${encodeURIComponent(range)}`;
  const ranges = Object.keys(INSIGHT_RANGES)
    .map((r) => (r === range ? `<strong>${escapeHtml(r)}</strong>` : `<a href="insight?range=${escapeHtml(r)}">${escapeHtml(r)}</a>`))
    .join(' · ');
  const charts = CHARTS.map(
    (c) => `<section class="chart">
<h2>${escapeHtml(c.title)}</h2><p class="muted">${escapeHtml(c.about)} <a href="api/insight/${escapeHtml(c.id)}?${q}">JSON</a></p>
<div class="canvas-box"><canvas id="chart-${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}" data-kind="${c.kind}" data-unit="${escapeHtml(c.unit ?? '')}"
 data-api="api/insight/${escapeHtml(c.id)}?${q}"></canvas></div></section>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>aitable-bridge · insight</title><link rel="stylesheet" href="insight-assets/insight.css"></head>
<body data-range="${escapeHtml(range)}">
<h1>aitable-bridge · insight</h1>
<p class="muted">signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role)}) · period: ${ranges} ·
<a href="status">status</a> · <a href="admin/queues">queues (Bull Board)</a></p>
<p id="insight-error" class="bad" hidden></p>
<div class="grid">
<section class="chart"><h2>Funnel: lead → portal → order won/active → audit delivered</h2>
<p class="muted">Leads first received in the period and how far each got; conversion is the share of the stage before.
<a href="api/insight/funnel?${q}">JSON</a></p>
<div class="canvas-box"><canvas id="chart-funnel" data-chart="funnel" data-kind="funnel" data-api="api/insight/funnel?${q}"></canvas></div>
<table id="funnel-table"><thead><tr><th>stage</th><th>count</th><th>conversion</th><th>median time from previous</th></tr></thead><tbody></tbody></table>
</section>
${charts}
<section class="chart"><h2>Top error codes</h2><p class="muted">Failed attempts in the period by code and queue; the link lists the queue's failed jobs.
<a href="api/insight/error-codes?${q}">JSON</a></p>
<table id="error-codes" data-api="api/insight/error-codes?${q}"><thead><tr><th>code</th><th>queue</th><th>attempts</th><th>failed for good</th><th>failed jobs</th></tr></thead>
<tbody></tbody></table></section>
<section class="chart"><h2>Queues now</h2><p class="muted">Jobs waiting, active, delayed and failed per queue, read from Redis now, and the age of the oldest waiting job.
<a href="api/insight/queues">JSON</a></p>
<div class="canvas-box"><canvas id="chart-queues" data-chart="queues" data-kind="queues" data-api="api/insight/queues"></canvas></div>
<table id="queue-table"><thead><tr><th>queue</th><th>waiting</th><th>active</th><th>delayed</th><th>failed</th><th>oldest waiting</th></tr></thead><tbody></tbody></table>
</section>
</div>
<script src="insight-assets/chart.umd.min.js"></script>
<script src="insight-assets/insight.js"></script>
</body></html>`;
}
