import type { RecordStory, StoryEvent, StoryJob } from './record-story';

/** The record story as table rows, one shape for the CLI's text tables and the dashboard page. */
type Cell = string | number | boolean | null;

export const STORY_SYNC_ROW_HEADERS = [
  'direction',
  'status',
  'active',
  'MissionX id',
  'last synced',
  'retries',
  'error',
  'last values written',
];

export const storySyncRow = (r: RecordStory['syncRows'][number]): Cell[] => [
  r.direction,
  r.syncStatus,
  r.active,
  r.entityId,
  r.lastSyncedAt,
  r.retryCount,
  r.errorMessage,
  JSON.stringify(r.lastValuesWritten),
];

export const STORY_JOB_HEADERS = ['queue', 'job', 'state', 'attempts', 'priority', 'added', 'finished', 'failed reason', 'errors'];

export const storyJobRow = (j: StoryJob): Cell[] => [
  j.queue,
  j.jobId,
  j.state,
  `${j.attemptsMade}/${j.attempts}`,
  j.backfill ? `${j.priority} (backfill)` : j.priority || 'live',
  j.addedAt,
  j.finishedAt,
  j.failedReason,
  j.errors.join(' | '),
];

export const STORY_TIMELINE_HEADERS = ['at', 'what', 'detail'];

export function storyEventRow(e: StoryEvent): Cell[] {
  if (e.kind === 'delivery')
    return [
      e.at,
      'delivery',
      `${e.deliveryId} ${e.eventType ?? ''} ${e.outcome} ${e.httpStatus}${e.reason ? ` ${e.reason}` : ''}${e.jobId ? ` → ${e.queue}/${e.jobId}` : ''}`,
    ];
  if (e.kind === 'job_added') return [e.at, 'job added', `${e.queue}/${e.jobId} ${e.name}${e.backfill ? ' (backfill)' : ''}`];
  if (e.kind === 'attempt')
    return [
      e.at,
      'attempt',
      `${e.queue}/${e.jobId} #${e.attempt} ${e.outcome}${e.result ? ` ${e.result}` : ''}${e.errorCode ? ` ${e.errorCode}` : ''}`,
    ];
  return [e.at, 'sync row', `${e.direction} ${e.syncStatus}${e.active ? '' : ' inactive'}${e.errorMessage ? `: ${e.errorMessage}` : ''}`];
}
