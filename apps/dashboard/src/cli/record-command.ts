import { getRecordStory, type RecordStoryDeps, type RecordStoryQuery } from '@bridge/ops';
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
  out.table(
    ['direction', 'status', 'active', 'MissionX id', 'last synced', 'retries', 'error', 'last values written'],
    story.syncRows.map((r) => [
      r.direction,
      r.syncStatus,
      r.active,
      r.entityId,
      r.lastSyncedAt,
      r.retryCount,
      r.errorMessage,
      JSON.stringify(r.lastValuesWritten),
    ]),
    100,
  );
  out.line();
  const mx = story.missionxClient;
  out.line(
    mx
      ? `MissionX client ${mx.clientId}: ${mx.error ? `not read: ${mx.error}` : mx.client ? JSON.stringify(out.shown(mx.client)) : 'not found in MissionX'}`
      : 'MissionX client: none recorded',
  );
  out.line();
  out.line('Jobs:');
  out.table(
    ['queue', 'job', 'state', 'attempts', 'priority', 'added', 'finished', 'failed reason', 'errors'],
    story.jobs.map((j) => [
      j.queue,
      j.jobId,
      j.state,
      `${j.attemptsMade}/${j.attempts}`,
      j.backfill ? `${j.priority} (backfill)` : j.priority || 'live',
      j.addedAt,
      j.finishedAt,
      j.failedReason,
      j.errors.join(' | '),
    ]),
    100,
  );
  out.line();
  out.line('Timeline:');
  out.table(
    ['at', 'what', 'detail'],
    story.timeline.map((e) => {
      if (e.kind === 'delivery')
        return [
          e.at,
          'delivery',
          `${e.deliveryId} ${e.eventType ?? ''} ${e.outcome} ${e.httpStatus}${e.reason ? ` ${e.reason}` : ''}${e.jobId ? ` -> ${e.queue}/${e.jobId}` : ''}`,
        ];
      if (e.kind === 'job_added') return [e.at, 'job added', `${e.queue}/${e.jobId} ${e.name}${e.backfill ? ' (backfill)' : ''}`];
      if (e.kind === 'attempt')
        return [
          e.at,
          'attempt',
          `${e.queue}/${e.jobId} #${e.attempt} ${e.outcome}${e.result ? ` ${e.result}` : ''}${e.errorCode ? ` ${e.errorCode}` : ''}`,
        ];
      return [
        e.at,
        'sync row',
        `${e.direction} ${e.syncStatus}${e.active ? '' : ' inactive'}${e.errorMessage ? `: ${e.errorMessage}` : ''}`,
      ];
    }),
    140,
  );
  return EXIT.ok;
}
