import {
  getRecordStory,
  STORY_JOB_HEADERS,
  STORY_SYNC_ROW_HEADERS,
  STORY_TIMELINE_HEADERS,
  storyEventRow,
  storyJobRow,
  storySyncRow,
  type RecordStoryDeps,
  type RecordStoryQuery,
} from '@bridge/ops';
import type { Output } from './output';
import { EXIT, UsageError } from './usage';

export interface RecordArgs {
  id?: string;
  client?: string;
  delivery?: string;
  json: boolean;
}

/** `record <recId>`, `record --client <MissionX id>` or `record --delivery <id>`: exactly one. */
export function recordQuery(a: RecordArgs): RecordStoryQuery {
  const given = [a.id, a.client, a.delivery].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw new UsageError('record needs exactly one of: a record id (rec…), --client <MissionX client id>, --delivery <delivery id>');
  if (a.client !== undefined) return { missionxClientId: a.client };
  if (a.delivery !== undefined) return { deliveryId: a.delivery };
  return { recordId: a.id! };
}

/** `npm run replay -- record …`: everything the bridge knows about one record, oldest first. */
export async function runRecordCommand(deps: RecordStoryDeps, args: RecordArgs, out: Output): Promise<number> {
  const story = await getRecordStory(deps, recordQuery(args));
  if (!story) {
    if (args.json) out.json({ found: false });
    else out.line('No record found: the bridge knows nothing under that id.');
    return EXIT.someFailed;
  }
  if (args.json) {
    out.json(story);
    return EXIT.ok;
  }
  out.line(`Record ${story.recordId}  datasheet ${story.datasheetId ?? '(unknown)'}${story.datasheet ? ` (${story.datasheet})` : ''}`);
  out.line();
  out.line('Sync rows (the last values written):');
  out.table(STORY_SYNC_ROW_HEADERS, story.syncRows.map(storySyncRow), 100);
  out.line();
  const mx = story.missionxClient;
  out.line(
    mx
      ? `MissionX client ${mx.clientId}: ${mx.error ? `not read: ${mx.error}` : mx.client ? JSON.stringify(out.shown(mx.client)) : 'not found in MissionX'}`
      : 'MissionX client: none recorded',
  );
  out.line();
  out.line('Jobs:');
  out.table(STORY_JOB_HEADERS, story.jobs.map(storyJobRow), 100);
  out.line();
  out.line('Timeline:');
  out.table(STORY_TIMELINE_HEADERS, story.timeline.map(storyEventRow), 140);
  return EXIT.ok;
}
