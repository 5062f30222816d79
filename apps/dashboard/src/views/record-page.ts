import {
  STORY_JOB_HEADERS,
  STORY_SYNC_ROW_HEADERS,
  STORY_TIMELINE_HEADERS,
  storyEventRow,
  storyJobRow,
  storySyncRow,
  type RecordStory,
} from '@bridge/ops';
import { escapeHtml, table, pageStyle } from './html';

const STYLE = pageStyle(`td{max-width:520px}form{margin:12px 0}input[type=text]{width:320px}`);

export type RecordSearch = { by: 'record' | 'client' | 'delivery'; id: string } | null;

/** A record's whole story: a search form, then its sync rows, MissionX client, jobs and timeline. Server-rendered, no script. */
export function renderRecordPage(search: RecordSearch, story: RecordStory | null, user: { name: string; role: string }): string {
  const option = (by: string, label: string) => `<option value="${by}"${search?.by === by ? ' selected' : ''}>${label}</option>`;
  const form = `<form method="get" action="/records"><select name="by">${option('record', 'AITable record id')}${option('client', 'MissionX client id')}${option('delivery', 'delivery id')}</select>
<input type="text" name="q" value="${escapeHtml(search?.id ?? '')}" placeholder="rec…, a MissionX client id or a delivery id"> <button type="submit">Show</button></form>`;
  let body: string;
  if (!search) body = '<p class="muted">Search a record to see everything the bridge knows about it.</p>';
  else if (!story) body = `<p>Nothing known under ${escapeHtml(search.id)}.</p>`;
  else body = storyHtml(story);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aitable-bridge · record</title><style>${STYLE}</style></head>
<body><h1>Record story</h1><p class="muted">Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role)}). <a href="/status">Status</a></p>
${form}
${body}
</body></html>`;
}

function storyHtml(s: RecordStory): string {
  const mx = s.missionxClient;
  const client = !mx
    ? '<p class="muted">No MissionX client recorded.</p>'
    : `<p>${escapeHtml(mx.clientId)}: ${escapeHtml(mx.error ? `not read: ${mx.error}` : mx.client ? JSON.stringify(mx.client) : 'not found in MissionX')}</p>`;
  return `<h2>${escapeHtml(s.recordId)} <span class="muted">${escapeHtml(s.datasheet ?? '')} ${escapeHtml(s.datasheetId ?? '')}</span></h2>
<h2>Timeline</h2>${table(STORY_TIMELINE_HEADERS, s.timeline.map(storyEventRow))}
<h2>Sync rows (the last values written)</h2>${table(STORY_SYNC_ROW_HEADERS, s.syncRows.map(storySyncRow))}
<h2>MissionX client</h2>${client}
<h2>Jobs</h2>${table(STORY_JOB_HEADERS, s.jobs.map(storyJobRow))}`;
}
