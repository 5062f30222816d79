import { escapeHtml, pageStyle } from './html';

const STYLE = pageStyle(`td{max-width:360px}label{display:block;margin:6px 0}
input[type=text]{width:360px}textarea{width:360px;height:60px}#start-message{margin-left:8px}.error{color:#cf222e}`);

const startPanel = `<h2>Start a run</h2>
<label>Kind <select id="kind"><option value="backfill">backfill: every record the bridge has not finished</option><option value="resync">re-sync: records picked by error code, time or id</option></select></label>
<label>Datasheet <select id="datasheet"><option>leads</option><option>orders</option><option>audit-results</option></select></label>
<label>AITable formula (optional) <input type="text" id="where" placeholder='{Status} = "New"'></label>
<fieldset id="resync-fields"><legend>Re-sync only: records whose attempt failed…</legend>
<label>with error code <input type="text" id="errorCode" placeholder="aitable_unavailable"></label>
<label>since <input type="text" id="since" placeholder="24h, 7d or an ISO date"></label>
<label>until <input type="text" id="until" placeholder="an ISO date; empty for now"></label>
<label>…or exactly these record ids (space or comma separated) <textarea id="recordIds" placeholder="rec…"></textarea></label></fieldset>
<p><button type="button" id="start-run">Start</button><span id="start-message" role="status"></span></p>
<p class="muted">A run enqueues, at a priority below every live webhook, a job for each selected record the workers' rules say still needs work. One run per datasheet at a time. Cancel keeps its checkpoint: Restart continues where it stopped.</p>`;

/**
 * The bulk runs page: a shell without inline script (the CSP stays `script-src 'self'`); its
 * script reads /api/bulk-runs every second and draws the table. Operators get the start panel
 * and Cancel/Restart buttons; viewers see the runs only (the API refuses them anyway).
 */
export function renderBulkRunsPage(user: { name: string; role: string }, available: boolean): string {
  const operator = user.role === 'operator';
  const panel = !operator
    ? '<p class="muted">Viewers see the runs; an operator starts and cancels them.</p>'
    : available
      ? startPanel
      : '<p class="error">Starting runs needs the AITable API: set AITABLE_API_KEY for the dashboard and restart it.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aitable-bridge · bulk runs</title><style>${STYLE}</style></head>
<body data-operator="${operator && available}">
<h1>Bulk runs</h1>
<p class="muted">Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role)}). <a href="status">Status</a> · <a href="api/bulk-runs">JSON</a> · the same from a shell: <code>npm run backfill</code></p>
${panel}
<h2>Runs</h2>
<p class="muted" id="refreshed">Loading…</p>
<table id="runs"><thead><tr><th>started</th><th>by</th><th>kind</th><th>datasheet</th><th>filter</th><th>status</th><th>done</th><th>total</th><th>failed</th><th>enqueued</th><th>rate</th><th>ETA</th><th>ended</th><th></th></tr></thead><tbody></tbody></table>
<script src="bulk-runs-assets/bulk-runs.js"></script>
</body></html>`;
}
