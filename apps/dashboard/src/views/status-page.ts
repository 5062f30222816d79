import { JOB_STATES, type SyncStatus } from '@bridge/ops';
import { escapeHtml, formatAge, formatBytes, table, pageStyle } from './html';

const STYLE = pageStyle(`.bad{color:#cf222e;font-weight:600}td{max-width:520px}`);

/** The sync status page: server-rendered, no script, every value escaped. Refreshes itself. */
export function renderStatusPage(s: SyncStatus, user: { name: string; role: string }, redisMode?: string): string {
  const entities = Object.keys(s.syncCounts).sort();
  const syncRows = entities.map((e) => {
    const c = s.syncCounts[e] ?? {};
    return [e, c.pending ?? 0, c.success ?? 0, c.failed ?? 0];
  });
  const queueRows = Object.entries(s.queues).map(([q, c]) => [q, ...JOB_STATES.map((st) => c[st])]);
  const failures = s.recentFailures.map((f) => [
    f.updatedAt,
    f.entityType,
    f.recordId,
    f.retryCount,
    f.errorMessage ?? '',
    f.lastJobId ?? '',
  ]);
  const rejected = s.rejectedDeliveries.recent.map((d) => [
    d.receivedAt,
    d.id,
    d.source,
    d.reason ?? '',
    d.datasheetId ?? '',
    d.recordId ?? '',
    d.detail ?? '',
  ]);
  const oldest = s.oldestPending
    ? `<p>${escapeHtml(s.oldestPending.entityType)} ${escapeHtml(s.oldestPending.recordId)} pending since ${escapeHtml(s.oldestPending.since)} ` +
      `(<span class="${s.oldestPending.ageSeconds > 900 ? 'bad' : ''}">${escapeHtml(formatAge(s.oldestPending.ageSeconds))}</span>), last job ${escapeHtml(s.oldestPending.lastJobId ?? '–')}</p>`
    : '<p class="muted">nothing pending</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15"><link rel="icon" href="favicon.svg" type="image/svg+xml">
<title>aitable-bridge · sync status</title><style>${STYLE}</style></head>
<body>
<h1>aitable-bridge · sync status</h1>
<p class="muted">as of ${escapeHtml(s.generatedAt)} · signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role)}) ·
<a href="admin/queues">queues (Bull Board)</a> · <a href="bulk-runs">bulk runs</a> · <a href="api/status">JSON</a></p>
<p>Last accepted webhook: ${escapeHtml(s.lastAcceptedDeliveryAt ?? 'never')}${redisMode ? ` · Redis: ${escapeHtml(redisMode)}` : ''}</p>
<h2>Sync rows by entity and status</h2>
${table(['entity', 'pending', 'success', 'failed'], syncRows, 'no sync rows yet')}
<h2>Oldest pending</h2>
${oldest}
<h2>Queues</h2>
${table(['queue', ...JOB_STATES], queueRows)}
<h2>Recent sync failures</h2>
${table(['updated', 'entity', 'record', 'retries', 'error', 'last job'], failures, 'no failures')}
<h2>Rejected webhook deliveries awaiting a fix: <span class="${s.rejectedDeliveries.awaitingFix > 0 ? 'bad' : ''}">${escapeHtml(s.rejectedDeliveries.awaitingFix)}</span></h2>
${table(['received', 'id', 'source', 'reason', 'datasheet', 'record', 'detail'], rejected, 'none')}
<p class="muted">Fix and replay them with <code>npm run replay -- deliveries list</code> or the /api/deliveries endpoints.</p>
<h2>Table sizes</h2>
${table(
  ['table', 'rows', 'size'],
  s.tables.map((t) => [t.table, t.rows, formatBytes(t.bytes)]),
)}
<p class="muted">Old history and delivery rows are deleted by the worker (RETENTION_* settings). Charts: <a href="insight">insight</a>.</p>
</body></html>`;
}
