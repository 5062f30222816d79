import type { ConflictItem } from '@bridge/ops';
import { escapeHtml, table, pageStyle } from './html';

const STYLE = pageStyle(`td{max-width:420px}code{background:#f6f8fa;padding:1px 4px}`);

/** The conflicts page: server-rendered, no script, every value escaped. Held ones are resolved through the JSON API or the CLI. */
export function renderConflictsPage(list: readonly ConflictItem[], user: { name: string; role: string }): string {
  const rows = list.map((c) => [
    c.detectedAt,
    c.recordId,
    c.field,
    c.aitableValue ?? '',
    c.aitableAt ?? '',
    c.bridgeValue ?? '',
    c.bridgeAt ?? '',
    c.missionxValue ?? '',
    c.missionxAt ?? '',
    c.policy,
    c.outcome,
    c.resolvedBy ? `${c.resolvedBy} at ${c.resolvedAt}` : '',
    c.id,
  ]);
  const how =
    user.role === 'operator'
      ? `<p>Resolve a held conflict: <code>npm run replay -- conflicts resolve &lt;id&gt; --take aitable|missionx</code>, or POST JSON <code>{"take":"aitable"}</code> to <code>/api/conflicts/&lt;id&gt;/resolve</code>.</p>`
      : '<p class="muted">Viewers see conflicts; an operator resolves held ones.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>aitable-bridge · conflicts</title><style>${STYLE}</style></head>
<body>
<h1>Conflicts on fields the bridge owns</h1>
<p class="muted">Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role)}). A field the bridge owns holding a value the bridge did not write; its policy decided: restored (bridge-wins), adopted (aitable-wins) or held (manual, until an operator takes one side).</p>
${how}
${table(['detected', 'record', 'field', 'AITable value', 'AITable at', 'bridge value', 'bridge at', 'MissionX value', 'MissionX at', 'policy', 'outcome', 'resolved', 'id'], rows, 'no conflicts')}
</body></html>`;
}
